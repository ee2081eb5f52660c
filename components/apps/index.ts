export * from "./app";
export * from "./labels";
export * from "./team";
