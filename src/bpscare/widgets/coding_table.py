"""The transcript annotator's table: every utterance in full, with its code drop-down beside it.

An anywidget (one front-end module, no build step) that renders a transcript as a table whose
rows grow with their text: utterance number, time, speaker, the full utterance, and a native
``<select>`` labelled "Code <n>" (keyboard: Tab to it, arrows to choose). On a narrow screen the
drop-down moves below its utterance instead of squeezing it. Only public material is synced:
the learner view of the utterances (:meth:`Transcript.to_learner_dict`), the code options and
the learner's own codes. The expert codes never reach this widget.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import anywidget
import traitlets

__all__ = ["CodingTable"]

_ESM = """
function render({ model, el }) {
  const table = document.createElement('div');
  table.className = 'bpscare-coding';
  table.setAttribute('role', 'list');
  table.setAttribute('aria-label', 'Utterances and their codes');
  el.appendChild(table);
  const selects = new Map();

  function build() {
    table.replaceChildren();
    selects.clear();
    const options = model.get('options');
    for (const u of model.get('utterances')) {
      const row = document.createElement('div');
      row.className = 'bpscare-coding-row';
      row.setAttribute('role', 'listitem');
      const text = document.createElement('p');
      text.className = 'bpscare-coding-text';
      text.id = `bpscare-u-${model.model_id || ''}-${u.n}`;
      const number = document.createElement('strong');
      number.textContent = `${u.n}. `;
      const time = document.createElement('span');
      time.className = 'bpscare-coding-time';
      time.textContent = `[${Number(u.start).toFixed(1)} s] `;
      const speaker = document.createElement('strong');
      speaker.textContent = `${u.speaker}: `;
      text.append(number, time, speaker, document.createTextNode(u.text));
      const select = document.createElement('select');
      select.className = 'bpscare-coding-select';
      select.setAttribute('aria-label', `Code ${u.n}`);
      select.setAttribute('aria-describedby', text.id);
      for (const [label, value] of options) {
        const option = document.createElement('option');
        option.value = value;
        option.textContent = label;
        select.appendChild(option);
      }
      select.addEventListener('change', () => {
        const codes = { ...model.get('codes') };
        if (select.value) codes[String(u.n)] = select.value; else delete codes[String(u.n)];
        model.set('codes', codes);
        model.save_changes();
      });
      selects.set(String(u.n), select);
      row.append(text, select);
      table.appendChild(row);
    }
    sync();
  }

  function sync() {
    const codes = model.get('codes');
    for (const [n, select] of selects) {
      const value = codes[n] || '';
      if (select.value !== value) select.value = value;
    }
  }

  build();
  model.on('change:utterances', build);
  model.on('change:options', build);
  model.on('change:codes', sync);
  return () => {
    model.off('change:utterances', build);
    model.off('change:options', build);
    model.off('change:codes', sync);
  };
}
export default { render };
"""

_CSS = """
.bpscare-coding { display: flex; flex-direction: column; gap: 0; width: 100%; }
.bpscare-coding-row {
  display: grid; grid-template-columns: minmax(0, 1fr) minmax(11rem, 15rem);
  gap: 4px 12px; align-items: start; padding: 6px 2px;
  border-bottom: 1px solid var(--jp-border-color2, #ddd);
}
.bpscare-coding-text {
  margin: 0; line-height: 1.45; white-space: normal; overflow-wrap: break-word;
  color: var(--jp-content-font-color1, #1a1a1a);
}
.bpscare-coding-time { color: #555; }
.bpscare-coding-select {
  width: 100%; min-height: 28px; font-size: var(--jp-widgets-font-size, 13px);
  color: var(--jp-widgets-input-color, #1a1a1a);
  background: var(--jp-widgets-input-background-color, #fff);
  border: 1px solid var(--jp-widgets-input-border-color, #9e9e9e);
}
@media (max-width: 640px) {
  .bpscare-coding-row { grid-template-columns: minmax(0, 1fr); }
}
"""


class CodingTable(anywidget.AnyWidget):
    """Utterances with one code drop-down each; ``codes`` holds the learner's choices.

    Parameters
    ----------
    utterances
        Public utterance records: ``n``, ``start``, ``speaker`` and ``text`` (no code).
    options
        ``(label, value)`` pairs of the drop-down; the value ``""`` means "not coded".
    """

    _esm = _ESM
    _css = _CSS
    utterances = traitlets.List(traitlets.Dict()).tag(sync=True)
    options = traitlets.List(traitlets.List()).tag(sync=True)
    codes = traitlets.Dict(value_trait=traitlets.Unicode()).tag(sync=True)

    def __init__(
        self, utterances: Sequence[Mapping[str, Any]], options: Sequence[tuple[str, str]]
    ) -> None:
        public = [
            {
                "n": int(u["n"]),
                "start": float(u["start"]),
                "speaker": str(u["speaker"]),
                "text": str(u["text"]),
            }
            for u in utterances
        ]
        super().__init__(
            utterances=public, options=[[label, value] for label, value in options], codes={}
        )

    @traitlets.validate("codes")
    def _valid_codes(self, proposal: dict[str, Any]) -> dict[str, str]:
        """Keep only known utterance numbers and known codes (the browser is not trusted)."""
        numbers = {str(u["n"]) for u in self.utterances}
        allowed = {value for _label, value in self.options if value}
        return {
            str(n): str(code)
            for n, code in dict(proposal["value"]).items()
            if str(n) in numbers and code in allowed
        }
