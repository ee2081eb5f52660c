/**
 * Check "addon-config": what the program configures on each EKS add-on is accepted by the build it
 * installs (the pinned build, or EKS's default for the version): its configurationValues validate
 * against the build's configuration schema, and every service account it associates through Pod
 * Identity is one the build names. Asked with `aws eks describe-addon-configuration` (EKS API reference,
 * DescribeAddonConfiguration: { addonName, addonVersion, configurationSchema (a JSON schema, as text),
 * podIdentityConfiguration: [{ serviceAccount, recommendedManagedPolicies }] }). Otherwise `up` fails
 * with "ConfigurationValue provided in request is not supported" or the association is refused.
 */
import Ajv from "ajv";
import { AWS_NEEDS, AwsAccess, lastLine } from "./aws";
import { fail, notApplicable, Outcome, pass, skip } from "./outcome";
import { Runner } from "./runner";
import { addonVersions, SourceError } from "./sources";
import { PlannedAddon, PreflightTarget } from "./target";

export interface AddonConfiguration {
    readonly configurationSchema?: string;
    readonly podIdentityConfiguration?: readonly { readonly serviceAccount?: string }[];
}

/** configurationValues against the build's configuration schema (JSON schema text). */
function validateValues(stack: string, subject: string, text: string, values: unknown, schemaText: string): Outcome {
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    let validate: ReturnType<Ajv["compile"]>;
    try {
        // Whatever draft the build's schema names ($schema), it is read with Ajv's default (draft-07):
        // Ajv refuses a $schema it has no meta-schema for, and the keywords these schemas use agree.
        const { $schema: _draft, ...schema } = JSON.parse(schemaText) as Record<string, unknown>;
        validate = ajv.compile(schema);
    } catch (error) {
        return skip(subject, `the build's configuration schema cannot be read: ${(error as Error).message}`);
    }
    return validate(values)
        ? pass(subject, `${text} fits the build's schema`)
        : fail(
              subject,
              `${text} does not fit the build's schema: ${ajv.errorsText(validate.errors, { dataVar: "values" })}`,
              `pin a build whose schema takes these values (Pulumi.${stack}.yaml cluster.addons), or change the program's values`,
          );
}

/** The verdict on one add-on's configuration against what its build accepts. */
export function judgeAddonConfiguration(
    stack: string,
    addon: PlannedAddon,
    build: string,
    configuration: AddonConfiguration,
): Outcome[] {
    const subject = `add-on ${addon.name} ${build}`;
    const outcomes: Outcome[] = [];
    if (addon.configurationValues !== undefined) {
        const values: unknown = JSON.parse(addon.configurationValues);
        if (configuration.configurationSchema === undefined || configuration.configurationSchema === "") {
            outcomes.push(
                fail(
                    `${subject}: configurationValues`,
                    "the build takes no configuration",
                    `drop configurationValues, or pin a build that takes them (Pulumi.${stack}.yaml)`,
                ),
            );
        } else {
            outcomes.push(
                validateValues(
                    stack,
                    `${subject}: configurationValues`,
                    addon.configurationValues,
                    values,
                    configuration.configurationSchema,
                ),
            );
        }
    }
    const wanted = addon.podIdentityServiceAccounts ?? [];
    if (wanted.length > 0) {
        const named = (configuration.podIdentityConfiguration ?? []).map((c) => c.serviceAccount);
        const unknown = wanted.filter((sa) => !named.includes(sa));
        outcomes.push(
            unknown.length === 0
                ? pass(`${subject}: Pod Identity`, `service account ${wanted.join(", ")} is the build's`)
                : fail(
                      `${subject}: Pod Identity`,
                      `the build names ${named.join(", ") || "no service account"} for Pod Identity, not ${unknown.join(", ")}`,
                      "associate the role with the service account the build names",
                  ),
        );
    }
    return outcomes;
}

export async function checkAddonConfiguration(
    runner: Runner,
    target: PreflightTarget,
    aws: AwsAccess,
): Promise<Outcome[]> {
    const cluster = target.cluster;
    const configured = (cluster?.addons ?? []).filter(
        (a) => a.configurationValues !== undefined || (a.podIdentityServiceAccounts ?? []).length > 0,
    );
    if (cluster === undefined || configured.length === 0) {
        return [notApplicable("add-on configuration", "no EKS add-on is configured")];
    }
    if (!aws.available) {
        return [skip(`${configured.length} configured EKS add-ons`, aws.reason, AWS_NEEDS)];
    }
    const region = target.region === undefined ? [] : ["--region", target.region];
    const outcomes: Outcome[] = [];
    for (const addon of configured) {
        let build = addon.version;
        try {
            build ??= (
                await addonVersions(runner, addon.name, cluster.kubernetesVersion, { region: target.region })
            ).find((b) => b.defaultVersion)?.version;
        } catch (error) {
            if (!(error instanceof SourceError)) {
                throw error;
            }
            outcomes.push(skip(`add-on ${addon.name}`, error.message, AWS_NEEDS));
            continue;
        }
        if (build === undefined) {
            outcomes.push(
                skip(
                    `add-on ${addon.name}`,
                    `EKS names no default build for Kubernetes ${cluster.kubernetesVersion} (the addons check fails it)`,
                ),
            );
            continue;
        }
        const result = await runner.exec("aws", [
            "eks",
            "describe-addon-configuration",
            "--addon-name",
            addon.name,
            "--addon-version",
            build,
            ...region,
            "--output",
            "json",
        ]);
        if (result.exitCode !== 0) {
            const message = lastLine(result.stderr);
            outcomes.push(
                /InvalidParameterException|ResourceNotFoundException/.test(message)
                    ? fail(
                          `add-on ${addon.name} ${build}`,
                          `EKS has no configuration for this build: ${message}`,
                          "pin a build the addons check passes",
                      )
                    : skip(
                          `add-on ${addon.name} ${build}`,
                          `describe-addon-configuration failed: ${message}`,
                          AWS_NEEDS,
                      ),
            );
            continue;
        }
        outcomes.push(
            ...judgeAddonConfiguration(target.stack, addon, build, JSON.parse(result.stdout) as AddonConfiguration),
        );
    }
    return outcomes;
}
