export * from "./app";
export * from "./team";
