/**
 * The platform's policy pack: `pulumi preview --policy-pack policy` (the pulumi/actions step passes
 * it as `policyPacks: policy`). The rules live in rules.ts and also run offline with `npm run check`.
 */
import { PolicyPack } from "@pulumi/policy";
import { POLICY_PACK_NAME, policyPackArgs } from "./pack";

new PolicyPack(POLICY_PACK_NAME, policyPackArgs);
