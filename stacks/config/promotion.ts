/** `gitops-platform:promotion`: the stack this one takes its revisions and versions from (delivery/promote.ts). */
import { z } from "zod";
import { CrossFieldContext, CrossFieldProblem } from "./crossField";
import { strictObject } from "./rules";

export const promotionConfig = strictObject({
    /** The stack whose revisions and versions are promoted into this one. */
    from: z.string().min(1),
});

export type PromotionConfig = z.infer<typeof promotionConfig>;

/** A stack never promotes from itself. */
export function promotionRules(
    config: { readonly promotion?: PromotionConfig },
    { stack }: CrossFieldContext,
): CrossFieldProblem[] {
    return config.promotion && config.promotion.from === stack
        ? [
              {
                  path: ["promotion", "from"],
                  message: `a stack cannot promote from itself: name the stack before ${stack} (e.g. staging)`,
              },
          ]
        : [];
}
