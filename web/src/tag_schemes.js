// Entity tag schemes (IOB1, BIO, BIOES) as Python's seqtk/data/tag_schemes.py reads and writes them: the spans
// a tag sequence holds (read as conlleval reads them) and the same spans written in another scheme.

function split(tag) {
  if (tag === "O") return ["O", null];
  const dash = tag.indexOf("-");
  const prefix = dash < 0 ? "" : tag.slice(0, dash);
  if (dash >= 0 && ["B", "I", "E", "S"].includes(prefix)) return [prefix, tag.slice(dash + 1)];
  return [null, tag];
}

/**
 * The entities of `tags` as `[type, start, end]` spans (`end` exclusive): an `I-`, `E-` or misplaced `B-` opens
 * an entity, as conlleval reads it.
 * @param {string[]} tags @param {"IOB1"|"BIO"|"BIOES"} scheme
 */
export function spans(tags, scheme) {
  const found = [];
  let current = null; // [type, start]
  const close = (index) => {
    if (current) found.push([current[0], current[1], index]);
    current = null;
  };
  tags.forEach((tag, index) => {
    const [prefix, kind] = split(tag);
    if (prefix === null) throw new Error(`token ${index + 1}: "${tag}" is no entity tag (O, or B-/I-/E-/S- and a type).`);
    if (prefix === "O") {
      close(index);
      return;
    }
    const continues = current !== null && current[0] === kind;
    if (scheme === "IOB1") {
      if (prefix === "B" || !continues) {
        close(index);
        current = [kind, index];
      }
    } else if (scheme === "BIO") {
      if (prefix === "E" || prefix === "S") throw new Error(`token ${index + 1}: "${tag}" has a prefix BIO does not use.`);
      if ((prefix === "I" && !continues) || prefix === "B") {
        close(index);
        current = [kind, index];
      }
    } else {
      if (prefix === "B" || prefix === "S" || !continues) {
        close(index);
        current = [kind, index];
      }
      if (prefix === "E" || prefix === "S") close(index + 1);
    }
  });
  close(tags.length);
  return found;
}

/** The tags of `length` tokens holding the spans `entities`, written in `scheme`. */
export function tagsOf(entities, length, scheme) {
  const tags = new Array(length).fill("O");
  let previous = null; // `${type} ${end}` of the entity before
  for (const [kind, start, end] of [...entities].sort((a, b) => a[1] - b[1])) {
    if (scheme === "BIOES" && end - start === 1) {
      tags[start] = `S-${kind}`;
    } else {
      for (let i = start; i < end; i += 1) tags[i] = `I-${kind}`;
      if (scheme === "BIO" || scheme === "BIOES") tags[start] = `B-${kind}`;
      else if (previous === `${kind} ${start}`) tags[start] = `B-${kind}`; // IOB1: B- only between two of a type
      if (scheme === "BIOES") tags[end - 1] = `E-${kind}`;
    }
    previous = `${kind} ${end}`;
  }
  return tags;
}

/** `tags` written in scheme `source` rewritten in `target` (the same entities). */
export function convert(tags, source, target) {
  return tagsOf(spans(tags, source), tags.length, target);
}
