export { AwsSecretsManagerStore } from "./aws";
export type { AwsSecretsManagerStoreArgs } from "./aws";
export { DirectSecretDelivery } from "./direct";
export { KubernetesSecretsStore } from "./kubernetes";
export type { KubernetesSecretsStoreArgs } from "./kubernetes";
export { DEFAULTS as SECRETS_DEFAULTS } from "./store";
export type { ExternalSecretsStoreArgs } from "./store";
export type * from "./types";
