/**
 * After every test file: remove the temp dir the mocks gave the program for the Docker
 * provider's SSH key files (plan/mockSshDir.ts). Jest ends its workers without an `exit` event.
 * Imported from mockSshDir.ts, not mockRuntime.ts: a suite that never plans must not pay for
 * loading `@pulumi/pulumi`.
 */
import { removeMockSshDir } from "../../plan/mockSshDir";

afterAll(() => removeMockSshDir());
