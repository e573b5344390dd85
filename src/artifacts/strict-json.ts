/**
 * Duplicate JSON object keys. JSON.parse keeps the last of two equal keys, so a file can show a
 * reader (or another parser, or a diff) one value while sss-tool acts on another: every file
 * sss-tool reads refuses them. Keys are compared after unescaping ("a" and "\u0061" are equal).
 *
 * Runs on text JSON.parse has already accepted, so the scan only tracks strings and nesting; it
 * is iterative (a deeply nested document is not a stack overflow).
 */

/** The first key that appears twice in one object, or undefined. `text` must be valid JSON. */
export function duplicateKey(text: string): string | undefined {
  // One frame per open object (its keys so far, and whether the next string is a key) or array (null).
  const stack: ({ keys: Set<string>; expectKey: boolean } | null)[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{') stack.push({ keys: new Set(), expectKey: true });
    else if (c === '[') stack.push(null);
    else if (c === '}' || c === ']') stack.pop();
    else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top) top.expectKey = true;
    } else if (c === '"') {
      const start = i;
      for (i++; text[i] !== '"'; i++) if (text[i] === '\\') i++;
      const top = stack[stack.length - 1];
      if (top?.expectKey) {
        const key = JSON.parse(text.slice(start, i + 1)) as string;
        if (top.keys.has(key)) return key;
        top.keys.add(key);
        top.expectKey = false;
      }
    }
  }
  return undefined;
}
