const palette: Record<string, { background: string; accent: string }> = {
  kitchen: { background: '#f6e7d8', accent: '#c0623b' },
  outdoors: { background: '#e1eedd', accent: '#3f7d4f' },
  electronics: { background: '#e3e8f4', accent: '#3a5a9b' },
  books: { background: '#f3ecd9', accent: '#8a6a2f' },
  apparel: { background: '#f1e2ea', accent: '#9b4a72' },
  'home-office': { background: '#e7e7e2', accent: '#55605a' },
};

export function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );
}

function wrap(text: string, width: number, maxLines: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/)) {
    if (`${current} ${word}`.trim().length > width && current) {
      lines.push(current);
      current = word;
    } else {
      current = `${current} ${word}`.trim();
    }
  }
  if (current) lines.push(current);
  if (lines.length > maxLines) {
    const kept = lines.slice(0, maxLines);
    kept[maxLines - 1] = `${kept[maxLines - 1]!.slice(0, width - 1)}…`;
    return kept;
  }
  return lines;
}

/** A product placeholder image: the category's colours, a simple mark, and the product's name. */
export function renderPlaceholderSvg({ name, category }: { name: string; category: string }): string {
  const colours = palette[category] ?? { background: '#eeeeee', accent: '#666666' };
  const lines = wrap(name, 22, 3);
  const text = lines
    .map((line, i) => `<text x="200" y="${200 + i * 26}" text-anchor="middle">${escapeXml(line)}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300" viewBox="0 0 400 300" role="img" aria-label="${escapeXml(name)}"><rect width="400" height="300" fill="${colours.background}"/><circle cx="200" cy="110" r="52" fill="${colours.accent}" opacity="0.85"/><rect x="176" y="86" width="48" height="48" rx="8" fill="${colours.background}" opacity="0.9"/><g font-family="system-ui, sans-serif" font-size="20" fill="#222">${text}</g></svg>`;
}
