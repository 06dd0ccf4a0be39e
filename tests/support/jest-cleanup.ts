/**
 * After every test file: remove the temp dir the mocks gave the program for the Docker
 * provider's SSH key files (plan/mockRuntime.ts). Jest ends its workers without an `exit` event.
 */
import { removeMockSshDir } from "../../plan/mockRuntime";

afterAll(() => removeMockSshDir());
