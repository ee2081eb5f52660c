export * from "./argoCd";
