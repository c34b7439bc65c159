// The web chat page: draws the chat, posts what the visitor types, long-polls for replies.
// Words are Chinese first; a browser set to English gets English chrome (the bot answers in the
// language the visitor writes in).
"use strict";

(() => {
  const WORDS = {
    zh: {
      title: "店小二 · 在线客服",
      placeholder: "请输入消息…",
      send: "发送",
      photo: "发送图片",
      menu: [["我的订单", "/orders"], ["转人工", "转人工"], ["帮助", "/help"]],
      offline: "网络不稳定，正在重新连接…",
      errors: {
        too_long: "消息太长了，请分几条发送（每条不超过 1000 字）。",
        empty: "请先输入内容再发送。",
        too_large: "图片太大了，请选一张小于 5 MB 的图片。",
        not_image: "只能发送图片（JPG、PNG 或 GIF）。",
        no_image: "图片没有上传成功，请重新选择。",
        no_session: "会话已失效，请刷新页面后再试。",
        forbidden: "请求被拒绝，请刷新页面后再试。",
        bad_request: "消息格式有误，请刷新页面后再试。",
        too_many: "发送得太频繁了，请稍后再试。",
        network: "发送失败，请检查网络后重试。",
      },
    },
    en: {
      title: "Xiaoer · Customer service",
      placeholder: "Type a message…",
      send: "Send",
      photo: "Send a photo",
      menu: [["My orders", "/orders"], ["Talk to a person", "talk to a human agent"], ["Help", "/help"]],
      offline: "Connection unstable, reconnecting…",
      errors: {
        too_long: "That message is too long; please send it in parts of at most 1,000 characters.",
        empty: "Please type something first.",
        too_large: "That picture is too large; please pick one under 5 MB.",
        not_image: "Only pictures (JPG, PNG or GIF) can be sent.",
        no_image: "The picture did not upload; please choose it again.",
        no_session: "Your session has ended; please reload the page.",
        forbidden: "The request was refused; please reload the page.",
        bad_request: "Something was wrong with that message; please reload the page.",
        too_many: "That was a lot at once; please wait a little and try again.",
        network: "Could not send; please check your connection and try again.",
      },
    },
  };
  const lang = (navigator.language || "zh").toLowerCase().startsWith("en") ? "en" : "zh";
  const words = WORDS[lang];
  const HEADERS = { "X-Xiaoer-Chat": "1" };
  const MAX_SIDE = 1600;
  const log = document.getElementById("log");
  const text = document.getElementById("text");
  const status = document.getElementById("status");
  const shown = new Set();
  let after = 0;

  class Refused extends Error {
    constructor(code) {
      super(code);
      this.code = code;
    }
  }

  function element(tag, className, content) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (content) node.textContent = content;
    return node;
  }

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  function draw(message) {
    const key = `${message.from}:${message.id}`;
    if (message.id !== undefined && shown.has(key)) return null;
    shown.add(key);
    const row = element("div", `msg ${message.from}`);
    const bubble = element("div", "bubble");
    const image = message.image;
    if (image) {
      const img = element("img");
      img.alt = image.caption || "";
      img.src = typeof image === "string" ? image : `data:${image.mime};base64,${image.data}`;
      img.addEventListener("load", scrollDown);
      bubble.append(img);
    }
    if (message.text) bubble.append(document.createTextNode(message.text));
    if (message.buttons && message.buttons.length) {
      const choices = element("div", "buttons");
      for (const button of message.buttons) {
        const press = element("button", "", button.label);
        press.type = "button";
        press.addEventListener("click", () => say({ text: button.payload, label: button.label }));
        choices.append(press);
      }
      bubble.append(choices);
    }
    row.append(bubble);
    log.append(row);
    scrollDown();
    return row;
  }

  function note(message) {
    log.append(element("div", "note", message));
    scrollDown();
  }

  function errorText(error) {
    return words.errors[error instanceof Refused ? error.code : "network"] || words.errors.network;
  }

  async function call(path, options = {}) {
    const response = await fetch(path, { credentials: "same-origin", ...options });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Refused(body.error || "network");
    return body;
  }

  function newId() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  async function post(message) {
    // The same id on every attempt: the server keeps one copy however often it arrives.
    const body = JSON.stringify(message);
    const headers = { ...HEADERS, "Content-Type": "application/json" };
    for (let attempt = 1; ; attempt++) {
      try {
        return await call("/chat/api/messages", { method: "POST", headers, body });
      } catch (error) {
        if (error instanceof Refused && error.code !== "network") throw error;
        if (attempt >= 3) throw error;
        await new Promise((done) => setTimeout(done, 1000 * attempt));
      }
    }
  }

  async function say({ text: typed, label, image, imageUrl, hidden }) {
    const message = { id: newId(), text: typed || "" };
    if (label) message.label = label;
    if (image) message.image = image;
    if (hidden) message.hidden = true;
    const row = hidden ? null : draw({ from: "me", id: message.id, text: label || typed, image: imageUrl });
    try {
      await post(message);
      return true;
    } catch (error) {
      if (row) row.classList.add("failed");
      note(errorText(error));
      return false;
    }
  }

  async function shrink(file) {
    // Phone photos are several MB; a 1,600-pixel JPEG is plenty for evidence and quick to send.
    if (file.size < 1024 * 1024 || typeof createImageBitmap !== "function") return file;
    try {
      const bitmap = await createImageBitmap(file);
      const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      const canvas = element("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return await new Promise((done) => canvas.toBlob((blob) => done(blob || file), "image/jpeg", 0.85));
    } catch (error) {
      return file; // not something the browser can draw: the server says what is wrong with it
    }
  }

  async function sendPhoto(file) {
    try {
      const blob = await shrink(file);
      const headers = { ...HEADERS, "Content-Type": blob.type || "application/octet-stream" };
      const uploaded = await call("/chat/api/images", { method: "POST", headers, body: blob });
      await say({ image: uploaded.id, imageUrl: `/chat/api/images/${uploaded.id}` });
    } catch (error) {
      note(errorText(error));
    }
  }

  async function listen() {
    for (;;) {
      try {
        const answer = await call(`/chat/api/replies?after=${after}`);
        status.textContent = "";
        after = answer.after;
        answer.messages.forEach(draw);
      } catch (error) {
        if (error instanceof Refused && error.code === "no_session") {
          note(errorText(error));
          return;
        }
        status.textContent = words.offline;
        await new Promise((done) => setTimeout(done, 3000));
      }
    }
  }

  function startPayload() {
    const value = new URLSearchParams(location.search).get("start") || "";
    return /^[A-Za-z0-9_-]{1,64}$/.test(value) ? value : "";
  }

  function dressPage() {
    document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
    document.title = words.title;
    document.querySelectorAll("[data-text]").forEach((node) => (node.textContent = words[node.dataset.text]));
    document.querySelectorAll("[data-title]").forEach((node) => (node.title = words[node.dataset.title]));
    text.placeholder = words.placeholder;
    const menu = document.getElementById("menu");
    for (const [label, typed] of words.menu) {
      const press = element("button", "", label);
      press.type = "button";
      press.addEventListener("click", () => say({ text: typed, label }));
      menu.append(press);
    }
  }

  function wireInput() {
    const form = document.getElementById("compose");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const typed = text.value.trim();
      if (!typed) return note(words.errors.empty);
      if (typed.length > 1000) return note(words.errors.too_long);
      text.value = "";
      text.style.height = "";
      await say({ text: typed });
    });
    text.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    text.addEventListener("input", () => {
      text.style.height = "";
      text.style.height = `${text.scrollHeight}px`;
    });
    const photo = document.getElementById("photo");
    photo.addEventListener("change", () => {
      if (photo.files.length) sendPhoto(photo.files[0]);
      photo.value = "";
    });
  }

  async function start() {
    dressPage();
    wireInput();
    try {
      const history = await call("/chat/api/history");
      after = history.after;
      history.messages.forEach(draw);
      if (!history.messages.length) await say({ text: `/start ${startPayload()}`.trim(), hidden: true });
    } catch (error) {
      note(errorText(error));
    }
    listen();
  }

  start();
})();
