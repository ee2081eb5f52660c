export * from "./flux";
