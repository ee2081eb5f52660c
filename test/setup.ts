/**
 * Loaded once by mocha (--require) before any test file. Every test plans through
 * test/harness.ts → plan/run.ts, which arms the same mocks (plan/mocks.ts) for each program it
 * runs: setMocks also resets the runtime's per-stack state, so one program's resources never leak
 * into the next. No test file calls setMocks itself.
 */
import * as pulumi from "@pulumi/pulumi";
import { platformMocks } from "../plan/mocks";
import { PROJECT } from "../stacks/config";

void pulumi.runtime.setMocks(platformMocks(), PROJECT, "test", false);
