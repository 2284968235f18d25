import { escapeHtml } from '@zweck/mail/unsubscribe-token';

export { escapeHtml };

/** A small self-contained HTML page for the person's side (unsubscribe, subscribe, confirm): no scripts. */
export const publicPage = (title: string, body: string): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem;color:#1f2933;line-height:1.5}
button{font:inherit;padding:.6rem 1.2rem;border-radius:.4rem;border:0;background:#1f6feb;color:#fff;cursor:pointer}
label{display:block;font-weight:600;margin:.8rem 0 .3rem}input[type=email]{font:inherit;padding:.5rem;width:100%;box-sizing:border-box}
blockquote{margin:1rem 0;padding:.6rem 1rem;border-left:4px solid #1f6feb;background:#f0f4f8}.error{color:#b42318}</style>
</head><body>${body}</body></html>`;
