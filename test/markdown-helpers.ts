/** What escaped Markdown says, for tests that match reasons: tags, entities, escapes and zero-width spaces undone. */
export function plainText(md: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"' };
  return md
    .replace(/<\/?code>/g, '')
    .replace(/&#8203;/g, '')
    .replace(/\\([\\`*_~[\]|])/g, '$1')
    .replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)))
    .replace(/&(amp|lt|gt|quot);/g, (_, n) => named[n]);
}
