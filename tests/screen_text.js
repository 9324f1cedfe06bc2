// What a person five metres from the display screen could not read: text under 32 px, and headings whose
// wrapped lines leave a single character alone on a line. Returns {small: [[text, px]], lonely: [text]}.
() => {
  const root = document.querySelector('.screen');
  const small = [];
  const texts = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (texts.nextNode()) {
    const node = texts.currentNode;
    if (!node.textContent.trim()) continue;
    const size = parseFloat(getComputedStyle(node.parentElement).fontSize);
    if (size < 32) small.push([node.textContent.trim().slice(0, 30), size]);
  }
  const lonely = [];
  for (const heading of root.querySelectorAll('h1, h2, h3, .view, b')) {
    const lines = new Map();
    const walker = document.createTreeWalker(heading, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      for (let i = 0; i < node.length; i++) {
        if (!node.textContent[i].trim()) continue;
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const rect = range.getClientRects()[0];
        if (!rect) continue;
        const top = Math.round(rect.top);
        lines.set(top, (lines.get(top) || 0) + 1);
      }
    }
    if (lines.size > 1 && [...lines.values()].some((count) => count === 1)) lonely.push(heading.textContent);
  }
  return {small, lonely};
}
