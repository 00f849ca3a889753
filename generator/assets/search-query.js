// Corrects a one-letter typo in a search query ("etopside" finds etoposide), and finds a word
// written with a hyphen ("NETTER-2") by all its parts.
//
// Material for MkDocs searches in a web worker. generator/search.py makes that worker load this
// classic script before Material's own code, so its message listener sees each message first:
// the index (SETUP), from which it learns the words the index holds, and each query (QUERY),
// which it may rewrite before Material searches. A query word of five letters or more that
// begins no indexed word is replaced by the indexed words one edit away (a letter added, left
// out, changed, or two letters swapped), the most frequent first. A word the index knows is
// left as typed, so an exact search is never flooded with near misses. lunr's own fuzzy search
// (etopside~1) would find the same words, but Material would list the typed word as missing and
// the page would highlight nothing; the corrected words are the index's own.
(function (scope) {
  "use strict";

  const SETUP = 0; // Material's SearchMessageType
  const QUERY = 2;
  const SHORTEST = 5; // shorter words are too often one letter from another real word
  const MOST_CORRECTIONS = 3;
  const LUNR_SYNTAX = /^[+-]|[:*~^"]/; // a word written in lunr's query syntax is the reader's own

  // The words of the search index, as lunr splits them (Material's separator).
  class Vocabulary {
    constructor(docs, separator) {
      this.separator = new RegExp(separator);
      this.counts = new Map();
      for (const doc of docs) {
        for (const [field, value] of Object.entries(doc)) {
          if (field === "location" || typeof value !== "string") continue;
          for (const word of splitWords(value, this.separator)) {
            this.counts.set(word, (this.counts.get(word) || 0) + 1);
          }
        }
      }
      this.sorted = [...this.counts.keys()].sort();
    }

    // Whether an indexed word begins with `prefix` (Material searches word beginnings).
    begins(prefix) {
      let low = 0;
      let high = this.sorted.length;
      while (low < high) {
        const middle = (low + high) >> 1;
        if (this.sorted[middle] < prefix) low = middle + 1;
        else high = middle;
      }
      return low < this.sorted.length && this.sorted[low].startsWith(prefix);
    }

    // The indexed words one edit from `word`, the most frequent first. A plural also counts as
    // its singular: synonyms are indexed in the plural (generator/search.py).
    corrections(word) {
      const found = [];
      for (const [candidate, count] of this.counts) {
        const singular = candidate.endsWith("s") ? candidate.slice(0, -1) : candidate;
        if (withinOneEdit(word, candidate) || withinOneEdit(word, singular)) {
          found.push([candidate, count]);
        }
      }
      found.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      return found.slice(0, MOST_CORRECTIONS).map(([candidate]) => candidate);
    }
  }

  function splitWords(text, separator) {
    return text.replace(/<[^>]*>/g, " ").toLowerCase().split(separator).filter(Boolean);
  }

  // True when b is a, or a with one letter added, left out, changed, or two neighbours swapped.
  function withinOneEdit(a, b) {
    if (Math.abs(a.length - b.length) > 1) return false;
    let start = 0;
    while (start < a.length && start < b.length && a[start] === b[start]) start++;
    let endA = a.length;
    let endB = b.length;
    while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
      endA--;
      endB--;
    }
    const restA = a.slice(start, endA);
    const restB = b.slice(start, endB);
    if (restA.length <= 1 && restB.length <= 1) return true;
    return restA.length === 2 && restB.length === 2 &&
      restA[0] === restB[1] && restA[1] === restB[0];
  }

  function needsCorrection(word, vocabulary) {
    return word.length >= SHORTEST && /^\p{L}+$/u.test(word) && !vocabulary.begins(word);
  }

  // The query as lunr should read it. An unknown word is replaced by its corrections (kept if
  // there are none). A word with inner punctuation ("NETTER-2", "Ki-67") must be found with all
  // its parts, as written: Material would look for any of its parts as a word beginning, and
  // "2" begins every number from 2 to 2025, "lu" (of Lu-177) every "lung".
  function correctQuery(query, vocabulary) {
    return query.split(/(\s+)/).map((part) => {
      if (!part.trim() || LUNR_SYNTAX.test(part)) return part;
      const words = splitWords(part, vocabulary.separator);
      if (words.length > 1) {
        return words.map((word, index) => requiredWord(word, index === words.length - 1,
          vocabulary)).join(" ");
      }
      if (words.length === 1 && needsCorrection(words[0], vocabulary)) {
        const corrections = vocabulary.corrections(words[0]);
        if (corrections.length) return corrections.join(" ");
      }
      return part;
    }).join("");
  }

  // A part of a word with inner punctuation, in lunr's syntax: required (+), and whole, except
  // a last part of letters, which may not be typed to its end yet (177Lu-DOTA). An unknown part
  // takes its best correction.
  function requiredWord(word, isLast, vocabulary) {
    const corrected = needsCorrection(word, vocabulary) && vocabulary.corrections(word)[0];
    const found = corrected || word;
    return isLast && !/^\d+$/.test(found) ? `+${found}*` : `+${found}`;
  }

  let vocabulary = null;

  function onMessage(event) {
    const message = event.data;
    if (message && message.type === SETUP) {
      vocabulary = new Vocabulary(message.data.docs, message.data.config.separator);
    } else if (message && message.type === QUERY && vocabulary &&
               typeof message.data === "string") {
      // Material's listener, registered after this one, reads the same message object.
      message.data = correctQuery(message.data, vocabulary);
    }
  }

  scope.nenguideSearch = { Vocabulary, correctQuery, withinOneEdit, onMessage };
  if (typeof scope.importScripts === "function") scope.addEventListener("message", onMessage);
})(self);
