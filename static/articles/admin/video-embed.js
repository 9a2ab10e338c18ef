// Video embeds in the article body editor: a Tiptap node for the players that the server's
// policy keeps (articles.sanitize.VIDEO_PLAYERS), and its "插入视频" toolbar button and dialog.
//
// The dialog takes a video page address (bilibili.com/video/BV…, youtube.com/watch?v=…,
// v.qq.com/x/cover/…/vid.html, vimeo.com/123), a player address or a pasted <iframe> code, and
// inserts the player's <iframe>. The players, their paths and the labels come from the
// extension's options (articles.editor.TOOLBAR_EXTENSIONS["VideoEmbed"]). The editor keeps an
// <iframe> only for those players, in the document and in the HTML source dialog alike; the
// server sanitizes again whatever arrives.

import { canInsertNode, mergeAttributes, Node, updateAttrsDialog } from "django-prose-editor/editor";

// What every embed carries, as the server's policy writes it (VIDEO_EMBED_ATTRIBUTES).
const FRAME_ATTRIBUTES = {
  sandbox: "allow-scripts allow-same-origin allow-presentation allow-popups",
  allow: "fullscreen; picture-in-picture",
  allowfullscreen: "",
  loading: "lazy",
  referrerpolicy: "strict-origin-when-cross-origin",
};
const DEFAULT_SIZE = { width: "640", height: "360" };

function decodeEntities(text) {
  const area = document.createElement("textarea");
  area.innerHTML = text;
  return area.value;
}

function parseUrl(text) {
  let value = text.trim();
  // A pasted embed code: its frame's address.
  const frame = /<iframe\b[^>]*?\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(value);
  if (frame) value = decodeEntities(frame[1] ?? frame[2] ?? frame[3]).trim();
  if (value.startsWith("//")) value = `https:${value}`;
  if (!/^https?:\/\//i.test(value)) value = `https://${value}`;
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

// "90", "90s", "1m30s", "1h2m3s" -> seconds, or null.
function seconds(value) {
  if (!value) return null;
  if (/^\d+$/.test(value)) return Number(value);
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(value);
  if (!match || !match[0]) return null;
  return Number(match[1] || 0) * 3600 + Number(match[2] || 0) * 60 + Number(match[3] || 0);
}

function youtube(id, start) {
  const url = new URL(`https://www.youtube-nocookie.com/embed/${id}`);
  if (start) url.searchParams.set("start", String(start));
  return url;
}

// Page addresses of each service -> its player's address.
const CONVERSIONS = [
  (url) => {
    if (!/^(www\.|m\.)?bilibili\.com$/.test(url.hostname)) return null;
    const match = /^\/video\/(BV[0-9A-Za-z]{10}|av(\d+))\/?$/i.exec(url.pathname);
    if (!match) return null;
    const player = new URL("https://player.bilibili.com/player.html");
    if (match[2]) player.searchParams.set("aid", match[2]);
    else player.searchParams.set("bvid", match[1]);
    const page = url.searchParams.get("p");
    if (page && /^\d+$/.test(page)) player.searchParams.set("page", page);
    return player;
  },
  (url) => {
    const start = seconds(url.searchParams.get("t") || url.searchParams.get("start"));
    if (url.hostname === "youtu.be") {
      const id = url.pathname.slice(1);
      return /^[A-Za-z0-9_-]+$/.test(id) ? youtube(id, start) : null;
    }
    if (!/^(www\.|m\.|music\.)?youtube(-nocookie)?\.com$/.test(url.hostname)) return null;
    const watched = url.pathname === "/watch" ? url.searchParams.get("v") : null;
    const match = /^\/(?:shorts|live|embed)\/([A-Za-z0-9_-]+)\/?$/.exec(url.pathname);
    const id = watched || match?.[1];
    return id && /^[A-Za-z0-9_-]+$/.test(id) ? youtube(id, start) : null;
  },
  (url) => {
    if (url.hostname !== "v.qq.com") return null;
    // /x/cover/<album>/<vid>.html, /x/page/<vid>.html, or an album page with ?vid=
    const match = /^\/x\/(?:cover\/[^/]+|page)\/([A-Za-z0-9]+)\.html$/.exec(url.pathname);
    const vid = match ? match[1] : url.searchParams.get("vid");
    if (!vid || !/^[A-Za-z0-9]+$/.test(vid)) return null;
    const player = new URL("https://v.qq.com/txp/iframe/player.html");
    player.searchParams.set("vid", vid);
    return player;
  },
  (url) => {
    if (!/^(www\.)?vimeo\.com$/.test(url.hostname)) return null;
    const match = /^\/(\d+)(?:\/([0-9a-f]+))?\/?$/.exec(url.pathname);
    if (!match) return null;
    const player = new URL(`https://player.vimeo.com/video/${match[1]}`);
    if (match[2]) player.searchParams.set("h", match[2]);
    return player;
  },
];

// The players' addresses as the server's policy judges them (articles.sanitize.video_player_url).
function playerPolicy(options) {
  const paths = Object.fromEntries(
    Object.entries(options.players || {}).map(([host, path]) => [host, new RegExp(`^(?:${path})$`)]),
  );
  const query = new RegExp(`^(?:${options.query || ""})$`);
  return (url) => {
    if (!url || url.protocol !== "https:" || url.username || url.password || url.port) return null;
    const path = paths[url.hostname];
    if (!path || !path.test(url.pathname) || !query.test(url.search.replace(/^\?/, ""))) return null;
    return `https://${url.hostname}${url.pathname}${url.search}`;
  };
}

/** The player address for `text` (a page or player address, or embed code), or null. */
export function embedAddress(text, options) {
  const url = parseUrl(text || "");
  if (!url) return null;
  url.protocol = "https:"; // every player answers on https; the policy takes nothing else
  const allowed = playerPolicy(options);
  for (const convert of CONVERSIONS) {
    const player = convert(url);
    if (player) return allowed(player);
  }
  return allowed(url);
}

export const VideoEmbed = Node.create({
  name: "videoEmbed",
  group: "block",
  atom: true,
  draggable: true,
  selectable: true,

  addOptions() {
    return {
      players: {},
      query: "",
      defaultTitle: "视频",
      labels: {
        insert: "插入视频",
        edit: "修改视频",
        address: "视频网址或嵌入代码",
        addressHelp: "",
        title: "视频标题",
        submit: "插入",
        update: "更新",
        refused: "无法识别这个网址。",
      },
    };
  },

  addAttributes() {
    return {
      // In the order the server's policy writes them, so that a save changes nothing.
      src: { default: null },
      width: { default: DEFAULT_SIZE.width },
      height: { default: DEFAULT_SIZE.height },
      title: { default: null },
    };
  },

  parseHTML() {
    const allowed = playerPolicy(this.options);
    return [
      {
        tag: "iframe[src]",
        getAttrs: (element) => {
          const src = allowed(parseUrl(element.getAttribute("src") || ""));
          return src ? { src } : false;
        },
      },
    ];
  },

  renderHTML({ HTMLAttributes }) {
    const title = HTMLAttributes.title || this.options.defaultTitle;
    return ["iframe", mergeAttributes(HTMLAttributes, { title }, FRAME_ATTRIBUTES)];
  },

  addNodeView() {
    // In the editor the frame shows the player but takes no clicks: a click selects the embed,
    // so that it can be moved, replaced or deleted like a picture.
    return ({ node }) => {
      const dom = document.createElement("div");
      dom.className = "video-embed";
      const frame = document.createElement("iframe");
      const attrs = { ...node.attrs, title: node.attrs.title || this.options.defaultTitle, ...FRAME_ATTRIBUTES };
      for (const [name, value] of Object.entries(attrs)) {
        if (value !== null && value !== undefined) frame.setAttribute(name, value);
      }
      frame.tabIndex = -1;
      const label = document.createElement("span");
      label.className = "video-embed__label";
      label.textContent = `${attrs.title} · ${new URL(node.attrs.src).hostname}`;
      dom.append(frame, label);
      return { dom };
    };
  },

  addCommands() {
    return {
      insertVideoEmbed:
        () =>
        ({ editor, state, dispatch }) => {
          const selected = state.selection.node?.type.name === this.name ? state.selection.node : null;
          if (!selected && !canInsertNode(state, state.schema.nodes[this.name])) return false;
          if (!dispatch) return true;
          const { labels } = this.options;
          const dialog = updateAttrsDialog(
            {
              address: { type: "string", title: labels.address, description: labels.addressHelp, required: true },
              title: { type: "string", title: labels.title },
            },
            { title: selected ? labels.edit : labels.insert, submitText: selected ? labels.update : labels.submit },
          );
          const answer = dialog(editor, {
            address: selected?.attrs.src || "",
            title: selected?.attrs.title || "",
          });
          // The dialog is in the document now: refuse an address no player answers to, in place.
          const input = editor.view.dom.parentElement.querySelector("dialog[open] input[name=address]");
          if (input) {
            const check = () => {
              const value = input.value.trim();
              input.setCustomValidity(value && !embedAddress(value, this.options) ? labels.refused : "");
            };
            input.addEventListener("input", check);
            check();
          }
          answer.then((attrs) => {
            const src = attrs && embedAddress(attrs.address, this.options);
            if (!src) return;
            const values = { src, title: attrs.title.trim() || null };
            if (selected) {
              editor.chain().focus().updateAttributes(this.name, values).run();
            } else {
              editor.chain().focus().insertContent({ type: this.name, attrs: values }).run();
            }
          });
          return true;
        },
    };
  },

  addMenuItems({ buttons, menu }) {
    menu.defineItem({
      name: "videoEmbed",
      groups: "nodes",
      command: (editor) => editor.chain().focus().insertVideoEmbed().run(),
      button: buttons.material("smart_display", this.options.labels.insert),
      enabled: (editor) => editor.can().insertVideoEmbed(),
      active: (editor) => editor.isActive(this.name),
    });
  },
});
