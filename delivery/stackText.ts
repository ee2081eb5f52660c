/**
 * Adding a key to a stack file without touching any other byte: the yaml Document API re-renders the
 * whole file on setIn (comment alignment and flow lists change), so a new scalar of an existing block
 * mapping is inserted as one line after the mapping's last entry, at its keys' indentation.
 */
import * as YAML from "yaml";

/** `text` with `key: value` added to the block mapping at `path` (from the document root); undefined when it cannot. */
export function insertScalar(
    text: string,
    path: readonly (string | number)[],
    key: string,
    value: string,
): string | undefined {
    const document = YAML.parseDocument(text);
    const map = document.getIn(path, true);
    if (!YAML.isMap(map) || map.flow || !map.range || map.items.length === 0) {
        return undefined;
    }
    const first = map.items[0].key;
    if (!YAML.isScalar(first) || !first.range) {
        return undefined;
    }
    const lineStart = text.lastIndexOf("\n", first.range[0] - 1) + 1;
    const indent = " ".repeat(first.range[0] - lineStart);
    // The mapping's content ends at range[1]; the new line goes at the start of the next line.
    const end = map.range[1];
    const at =
        text[end - 1] === "\n" ? end : text.indexOf("\n", end) === -1 ? text.length : text.indexOf("\n", end) + 1;
    const rendered = YAML.stringify({ [key]: value }).trimEnd();
    const prefix = at === text.length && !text.endsWith("\n") ? "\n" : "";
    return `${text.slice(0, at)}${prefix}${indent}${rendered}\n${text.slice(at)}`;
}
