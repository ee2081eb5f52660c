/**
 * The AWS services the program uses, each from its own module of @pulumi/aws. The package root loads
 * all of its some 250 services, whose typings (about 700,000 lines) would otherwise be parsed in
 * every type check; each module here is public and the root re-exports it as is.
 */
export * as cloudwatch from "@pulumi/aws/cloudwatch";
export * as ec2 from "@pulumi/aws/ec2";
export * as eks from "@pulumi/aws/eks";
export * as iam from "@pulumi/aws/iam";
export * as kms from "@pulumi/aws/kms";
export * as secretsmanager from "@pulumi/aws/secretsmanager";
export * as vpc from "@pulumi/aws/vpc";
export { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
