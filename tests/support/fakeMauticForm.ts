/** A published Mautic form's HTML as the fake Mautic (fakeMauticApi.ts) serves it. */
import { Obj, isObj, listSwitches } from "./fakeMauticSchema";

const esc = (v: unknown) =>
    String(v ?? "")
        .replace(/&/g, "&amp;")
        .replace(/</g, "&lt;")
        .replace(/>/g, "&gt;")
        .replace(/"/g, "&quot;");

/**
 * A published form as Mautic 5.2.1 renders it, where it matters: a checkbox/radio group lists
 * its options ONLY when `syncList`, `list` or `optionList` is set in its properties (FormBundle
 * Resources/views/Field/group.html.twig; seen on the real instance: without them the required
 * consent box is not rendered at all). Required fields get `mauticform-required`.
 */
export function renderPublicForm(form: Obj): string {
    const name = String(form.alias ?? "").replace(/_/g, "");
    const out: string[] = [`<form autocomplete="false" role="form" method="post" action="/form/submit?formId=${form.id}" id="mauticform_${name}">`];
    for (const f of ((form.fields ?? []) as Obj[]).slice().sort((a, b) => Number(a.order ?? 0) - Number(b.order ?? 0))) {
        const alias = String(f.alias);
        const cls = `mauticform-row mauticform-${f.type}${f.isRequired ? " mauticform-required" : ""}`;
        const props = isObj(f.properties) ? f.properties : {};
        switch (f.type) {
            case "freetext":
                out.push(
                    `<div id="mauticform_${name}_${alias}" class="${cls}"><h3 class="mauticform-label">${esc(f.label)}</h3><div class="mauticform-freetext">${String(props.text ?? "")}</div></div>`,
                );
                break;
            case "checkboxgrp": {
                const opts =
                    listSwitches.some((k) => k in props) && isObj(props.optionlist) && Array.isArray(props.optionlist.list)
                        ? (props.optionlist.list as Obj[])
                        : [];
                const boxes = opts.map(
                    (o, i) =>
                        `<label><input type="checkbox" name="mauticform[${alias}][]" id="mauticform_checkboxgrp_checkbox_${alias}_${i}" value="${esc(o.value)}"${o.value === f.defaultValue && f.defaultValue ? " checked" : ""}>${esc(o.label)}</label>`,
                );
                out.push(
                    `<div id="mauticform_${name}_${alias}" data-validate="${f.isRequired ? alias : ""}" class="${cls}"><label class="mauticform-label">${esc(f.label)}</label><div class="mauticform-checkboxgrp-row">${boxes.join("")}</div></div>`,
                );
                break;
            }
            case "hidden":
                out.push(
                    `<input name="mauticform[${alias}]" value="${esc(f.defaultValue)}" id="mauticform_input_${name}_${alias}" class="mauticform-hidden" type="hidden">`,
                );
                break;
            case "button":
                out.push(`<div class="${cls}"><button type="submit" name="mauticform[${alias}]" value="1">${esc(f.label)}</button></div>`);
                break;
            default:
                out.push(
                    `<div id="mauticform_${name}_${alias}" class="${cls}"><label>${esc(f.label)}</label><input name="mauticform[${alias}]" type="${f.type === "email" ? "email" : "text"}" value=""></div>`,
                );
        }
    }
    out.push(
        `<input type="hidden" name="mauticform[formId]" value="${form.id}"><input type="hidden" name="mauticform[return]" value=""><input type="hidden" name="mauticform[formName]" value="${name}"></form>`,
    );
    return `<!DOCTYPE html><html><body>${out.join("\n")}</body></html>`;
}
