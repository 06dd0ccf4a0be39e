/**
 * The kit's rules as Pulumi policies, for everyone who reuses the components in their own
 * program. `index.ts` packs them into the policy pack; the tests import this file and call each
 * policy directly (constructing `PolicyPack` starts a gRPC server). The policies live in files by
 * concern (hetznerPolicies.ts, containerPolicies.ts, oneMauticPolicy.ts, offsiteDns.ts); this file
 * lists them and re-exports them, so importers keep this one path.
 *
 * The pack is self-contained (it imports nothing from `components/`), so it can be published to
 * Pulumi Cloud on its own; `tests/unit/policy.test.ts` checks that the constants in `kitFacts.ts` still match
 * `components/config/defaults.ts` and the kit's own plan.
 *
 * Types are matched by their type token (`args.type`), so the pack does not load the provider
 * SDKs. Values the engine cannot know yet during a preview (e.g. an image id) throw
 * `UnknownValueError` when read; the engine turns that into an advisory "can't run during
 * preview" note. Where an unknown value only helps to classify a resource (is it a database?),
 * it is read with `peek` and treated as "no evidence" instead.
 */
import { storageBoxLocationPolicy, zoneRecordNamePolicy } from "./offsiteDns";
import { germanLocationPolicy, noWorldSshPolicy } from "./hetznerPolicies";
import { containerLogRotationPolicy, containerRestartPolicy, noPublishedDatabasePortPolicy } from "./containerPolicies";
import { oneMauticPerStackPolicy } from "./oneMauticPolicy";

export { allowedRestartPolicies, germanLocations, kitContainerNames, knownForeignLocations, types } from "./kitFacts";
export { UNKNOWN, peek } from "./previewValues";
export type { Maybe } from "./previewValues";
export { germanLocationPolicy, noWorldSshPolicy, portCoversSsh } from "./hetznerPolicies";
export type { WorldSshConfig } from "./hetznerPolicies";
export { containerLogRotationPolicy, containerRestartPolicy, databaseEvidence, noPublishedDatabasePortPolicy } from "./containerPolicies";
export { isMauticWeb, mauticInstances, oneMauticPerStackPolicy } from "./oneMauticPolicy";

/** Every policy of the pack, in report order. */
export const policies = [
    germanLocationPolicy,
    noWorldSshPolicy,
    containerRestartPolicy,
    containerLogRotationPolicy,
    noPublishedDatabasePortPolicy,
    oneMauticPerStackPolicy,
    storageBoxLocationPolicy,
    zoneRecordNamePolicy,
];
