#!/usr/bin/env node
// Discord webhook bodies, checked by discord.js's own validators (npm `@discordjs/builders`,
// installed by setup.sh into .tools/node): every embed is replayed through `new EmbedBuilder()`
// and its validating setters (setTitle, setDescription, setURL, setColor, setTimestamp,
// setFooter, setAuthor, setImage, setThumbnail, addFields), which throw on anything Discord
// refuses (title 256, description 4096, field name 256 / value 1024, 25 fields, footer 2048,
// author 256, http(s) URLs, integer colour 0..0xFFFFFF, …). Then `embedLength()` of each
// rebuilt embed is summed: at most 6000 over all embeds; at most 10 embeds; `username`
// present (1 to 80 characters). Lengths are JavaScript string lengths (UTF-16 code units),
// as discord.js counts them; a failure also shows the code-point count.
//
// Extra checks the builders do not make but Discord does: no unknown embed keys (so nothing is
// silently dropped by the replay), field name and value not empty or blank, `content` at most
// 2000, and an ISO 8601 `timestamp` string.
//
// Usage: node validate_discord.mjs BODY.json...   (prints `ok LABEL` / `FAIL LABEL: reason`)

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const nodeDir = process.env.CONFORMANCE_NODE_DIR ?? resolve(here, "..", ".tools", "node");
const require = createRequire(join(nodeDir, "package.json"));
const { EmbedBuilder, embedLength } = require("@discordjs/builders");

const MAX_EMBEDS = 10;
const MAX_FIELDS = 25;
const MAX_TOTAL = 6000;
const MAX_CONTENT = 2000;
const MAX_USERNAME = 80;
const EMBED_KEYS = new Set([
  "title", "type", "description", "url", "timestamp", "color", "footer", "image",
  "thumbnail", "author", "fields",
]);
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

const codePoints = (text) => [...text].length;
const describe = (value) => {
  if (typeof value !== "string") return JSON.stringify(value)?.slice(0, 60);
  const start = JSON.stringify(value.slice(0, 50));
  return `${value.length} UTF-16 units / ${codePoints(value)} code points: ${start}${value.length > 50 ? "…" : ""}`;
};
// Shapeshift's errors nest (a CombinedError of each alternative of a nullable union) and repeat
// the whole value; keep the gist: each real constraint with what it expected.
// An object's (or array's) errors come as [key, error] pairs; keep the keys as a path.
const flatten = (error, at = "") => {
  if (Array.isArray(error) && error.length === 2 && typeof error[0] !== "object") {
    return flatten(error[1], `${at}.${error[0]}`);
  }
  return Array.isArray(error?.errors) ? error.errors.flatMap((e) => flatten(e, at)) : [[at, error]];
};
const NULLABLE_NOISE = new Set(["Expected values to be equals", "Expected undefined or null"]);
const gist = (error) => {
  const parts = flatten(error)
    .filter(([, e]) => !NULLABLE_NOISE.has(e?.message))
    .map(([at, e]) => {
      const what = e?.constraint ?? e?.validator ?? e?.constructor?.name ?? "error";
      const detail = e?.expected ? `${e.message}, ${e.expected}` : String(e?.message ?? e).split("\n")[0];
      return `${at ? at.replace(/^\.0(?=\.|$)/, "").replace(/^\./, "") + ": " : ""}${what}: ${detail}`;
    });
  const text = [...new Set(parts)].join(" | ");
  return text.length > 220 ? text.slice(0, 219) + "…" : text;
};

function replay(embed, path, reasons) {
  const builder = new EmbedBuilder();
  const step = (where, value, call) => {
    try {
      call();
    } catch (error) {
      reasons.push(`${where}: EmbedBuilder rejected ${describe(value)} — ${gist(error)}`);
    }
  };
  for (const key of Object.keys(embed)) {
    if (!EMBED_KEYS.has(key)) reasons.push(`${path}.${key}: not an embed key`);
  }
  if (embed.type !== undefined && embed.type !== "rich") {
    reasons.push(`${path}.type: ${JSON.stringify(embed.type)}, webhooks send "rich" embeds`);
  }
  if (embed.title !== undefined) step(`${path}.title`, embed.title, () => builder.setTitle(embed.title));
  if (embed.description !== undefined) {
    step(`${path}.description`, embed.description, () => builder.setDescription(embed.description));
  }
  if (embed.url !== undefined) step(`${path}.url`, embed.url, () => builder.setURL(embed.url));
  if (embed.color !== undefined) step(`${path}.color`, embed.color, () => builder.setColor(embed.color));
  if (embed.timestamp !== undefined) {
    const ts = embed.timestamp;
    if (typeof ts !== "string" || !ISO_8601.test(ts) || Number.isNaN(Date.parse(ts))) {
      reasons.push(`${path}.timestamp: ${JSON.stringify(ts)} is not an ISO 8601 timestamp`);
    } else {
      step(`${path}.timestamp`, ts, () => builder.setTimestamp(new Date(ts)));
    }
  }
  if (embed.footer !== undefined) {
    const footer = embed.footer ?? {};
    step(`${path}.footer.text`, footer.text, () => builder.setFooter({ text: footer.text, iconURL: footer.icon_url }));
  }
  if (embed.author !== undefined) {
    const author = embed.author ?? {};
    step(`${path}.author.name`, author.name, () =>
      builder.setAuthor({ name: author.name, url: author.url, iconURL: author.icon_url }));
  }
  if (embed.image !== undefined) step(`${path}.image.url`, embed.image?.url, () => builder.setImage(embed.image?.url));
  if (embed.thumbnail !== undefined) {
    step(`${path}.thumbnail.url`, embed.thumbnail?.url, () => builder.setThumbnail(embed.thumbnail?.url));
  }
  if (embed.fields !== undefined) {
    if (!Array.isArray(embed.fields)) {
      reasons.push(`${path}.fields: must be a list`);
    } else {
      if (embed.fields.length > MAX_FIELDS) {
        reasons.push(`${path}.fields: ${embed.fields.length} fields, over ${MAX_FIELDS}`);
      }
      embed.fields.forEach((field, index) => {
        const where = `${path}.fields[${index}]`;
        for (const part of ["name", "value"]) {
          const text = field?.[part];
          if (typeof text !== "string" || !text.trim()) {
            reasons.push(`${where}.${part}: empty or missing (Discord requires 1 or more characters)`);
          }
        }
        // One by one, so the error names the field; addFields also enforces the 25-field cap.
        step(where, field, () => builder.addFields({ name: field?.name, value: field?.value, inline: field?.inline }));
      });
    }
  }
  let json;
  try {
    json = builder.toJSON();
  } catch (error) {
    reasons.push(`${path}: EmbedBuilder.toJSON() threw — ${gist(error)}`);
    json = embed;
  }
  return embedLength(json);
}

function check(body) {
  const reasons = [];
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    return ["$: body is not a JSON object"];
  }
  if (typeof body.username !== "string" || !body.username.trim()) {
    reasons.push("$.username: missing or empty");
  } else if (body.username.length > MAX_USERNAME) {
    reasons.push(`$.username: over ${MAX_USERNAME} (${describe(body.username)})`);
  }
  if (body.content !== undefined && (typeof body.content !== "string" || body.content.length > MAX_CONTENT)) {
    reasons.push(`$.content: must be a string of at most ${MAX_CONTENT} (${describe(body.content)})`);
  }
  const embeds = body.embeds;
  if (!Array.isArray(embeds) || embeds.length === 0) {
    reasons.push("$.embeds: missing or empty");
    return reasons;
  }
  if (embeds.length > MAX_EMBEDS) reasons.push(`$.embeds: ${embeds.length} embeds, over ${MAX_EMBEDS}`);
  let total = 0;
  embeds.forEach((embed, index) => {
    if (embed === null || typeof embed !== "object" || Array.isArray(embed)) {
      reasons.push(`$.embeds[${index}]: must be an object`);
    } else {
      total += replay(embed, `$.embeds[${index}]`, reasons);
    }
  });
  if (total > MAX_TOTAL) {
    reasons.push(`$.embeds: embedLength summed over all embeds is ${total}, over ${MAX_TOTAL}`);
  }
  return reasons;
}

const paths = process.argv.slice(2);
if (paths.length === 0) {
  console.error("usage: node validate_discord.mjs BODY.json...");
  process.exit(2);
}
let allOk = true;
for (const path of paths) {
  const label = basename(path).replace(/\.json$/, "").replaceAll("__", " ");
  let reasons;
  try {
    reasons = check(JSON.parse(readFileSync(path, "utf8")));
  } catch (error) {
    reasons = [`body is not valid JSON: ${error.message}`];
  }
  if (reasons.length) {
    allOk = false;
    const shown = reasons.slice(0, 6).join("; ");
    const more = reasons.length > 6 ? `; (and ${reasons.length - 6} more)` : "";
    console.log(`FAIL ${label}: ${shown}${more}`);
  } else {
    console.log(`ok ${label}`);
  }
}
process.exit(allOk ? 0 : 1);
