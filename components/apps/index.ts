export * from "./app";
export * from "./team";
export * from "./teamAccess";
