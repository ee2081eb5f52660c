// Pulumi entry point: the program lives in stacks/ (composition, config) and components/ (building blocks).
import { runPlatform } from "./stacks";

export = runPlatform;
