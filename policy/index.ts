/**
 * The policy pack: `pulumi preview --policy-pack policy` (or `up`) from a stack that uses the
 * kit. The policies live in `policies.ts`; this file only serves them (constructing `PolicyPack`
 * starts the gRPC server the Pulumi engine talks to, so tests never import this file).
 * How to run it and how to waive world-open SSH: policy/README.md.
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("mautic-gdpr-policies", {
    description:
        "GDPR rules of the Mautic kit: servers in Germany, no world-open SSH, restarting containers with rotated logs, no published database port, one Mautic per stack, off-site Storage Box in the other German location, DNS record names inside their zone.",
    enforcementLevel: "mandatory",
    policies,
});
