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
  // The regular expression skips whitespace, numbers and literals natively, and indexOf each
  // string's body: a third less time than a loop over every character (the 17 MB of a 256-member
  // genesis's round 2 is read by every audit of it).
  const structural = /[{}[\],"]/g;
  for (let m = structural.exec(text); m; m = structural.exec(text)) {
    const c = m[0];
    if (c === '{') stack.push({ keys: new Set(), expectKey: true });
    else if (c === '[') stack.push(null);
    else if (c === '}' || c === ']') stack.pop();
    else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top) top.expectKey = true;
    } else {
      const end = closingQuote(text, m.index);
      structural.lastIndex = end + 1;
      const top = stack[stack.length - 1];
      if (top?.expectKey) {
        const raw = text.slice(m.index + 1, end);
        const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
        if (top.keys.has(key)) return key;
        top.keys.add(key);
        top.expectKey = false;
      }
    }
  }
  return undefined;
}

/**
 * The index of the quote that closes the string opened at `open`: the first one not escaped; the
 * text's length when there is none (not JSON, but the scan then ends instead of starting over).
 */
function closingQuote(text: string, open: number): number {
  let end = text.indexOf('"', open + 1);
  for (; end !== -1; end = text.indexOf('"', end + 1)) {
    let slashes = 0;
    while (text[end - 1 - slashes] === '\\') slashes++;
    if (slashes % 2 === 0) return end;
  }
  return text.length;
}
