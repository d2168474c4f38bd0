//! Brings a drawn part of the page to a new drawing of it, touching only what differs: the
//! binder draws a changed item again with form-html (the portal's own markup) and this makes the
//! page's elements equal to it. An element keeps its identity (and so its focus, caret, and any
//! composition under way in an input method) unless its tag or id changed; what the citizen has
//! typed into the focused control is left as it is.

use wasm_bindgen::prelude::*;
use web_sys::{
    Element, HtmlInputElement, HtmlOptionElement, HtmlSelectElement, HtmlTemplateElement,
    HtmlTextAreaElement, Node,
};

// The attribute calls of the walk, with names and values kept as JavaScript strings: web-sys's
// take and give Rust strings, and a form of 1,000 fields spent more time converting attribute
// names than comparing them.
#[wasm_bindgen]
extern "C" {
    /// A node of the page (an element, or text for `nodeValue`), for these calls ([`el`]).
    type El;
    #[wasm_bindgen(method, js_name = getAttribute)]
    fn attr(this: &El, name: &JsValue) -> JsValue;
    #[wasm_bindgen(method, js_name = setAttribute)]
    fn set_attr(this: &El, name: &JsValue, value: &JsValue);
    #[wasm_bindgen(method, js_name = removeAttribute)]
    fn remove_attr(this: &El, name: &JsValue);
    #[wasm_bindgen(method, js_name = hasAttribute)]
    fn has_attr(this: &El, name: &JsValue) -> bool;
    #[wasm_bindgen(method, getter, js_name = nodeName)]
    fn node_name(this: &El) -> JsValue;
    #[wasm_bindgen(method, getter, js_name = id)]
    fn id(this: &El) -> JsValue;
    #[wasm_bindgen(method, getter, js_name = nodeValue)]
    fn node_value(this: &El) -> JsValue;
    #[wasm_bindgen(method, setter, js_name = nodeValue)]
    fn set_node_value(this: &El, value: &JsValue);
}

fn el(e: &Element) -> &El {
    e.unchecked_ref()
}

/// Attribute names the walk asks for, made once.
struct Names {
    item: JsValue,
    class: JsValue,
    drawn: JsValue,
    open: JsValue,
    empty: JsValue,
}

thread_local! {
    static NAMES: Names = Names {
        item: JsValue::from_str(form_html::ITEM),
        class: JsValue::from_str("class"),
        drawn: JsValue::from_str(form_html::DRAWN),
        open: JsValue::from_str("open"),
        empty: JsValue::from_str(""),
    };
}

/// Parses `html` (markup of one element) and brings `old` to it; the element now in place.
pub fn morph_html(old: &Element, html: &str) -> Option<Element> {
    let new = parse(old, html)?;
    Some(morph(old, &new))
}

/// The first element of `html`, parsed in an inert `<template>` of `near`'s document.
pub fn parse(near: &Element, html: &str) -> Option<Element> {
    let doc = near.owner_document()?;
    let template: HtmlTemplateElement = doc.create_element("template").ok()?.dyn_into().ok()?;
    template.set_inner_html(html);
    template.content().first_element_child()
}

/// Brings `old` to `new` (taken from its own tree as needed); the element now in place.
pub fn morph(old: &Element, new: &Element) -> Element {
    if el(old).node_name() != el(new).node_name() || el(old).id() != el(new).id() {
        let _ = old.replace_with_with_node_1(new);
        return new.clone();
    }
    // An item drawn as it already is (form-html's digest of its drawing): nothing to do. Its
    // controls show what was drawn, or what the citizen is typing (each input draws its item).
    let same = NAMES.with(|n| {
        let drawn = el(new).attr(&n.drawn);
        !drawn.is_null() && el(old).attr(&n.drawn) == drawn
    });
    if same {
        return old.clone();
    }
    sync_attributes(old, new);
    sync_children(old, new);
    sync_state(old);
    old.clone()
}

fn sync_attributes(old: &Element, new: &Element) {
    NAMES.with(|n| {
        // Opened by the citizen (a "report a mistake" disclosure) or by the binder (a dialog):
        // the drawing does not say, so it stays as it is.
        let keeps_open = || matches!(old.tag_name().as_str(), "DETAILS" | "DIALOG");
        for name in old.get_attribute_names().iter() {
            let kept = el(new).has_attr(&name) || (name == n.open && keeps_open());
            if !kept {
                el(old).remove_attr(&name);
            }
        }
        for name in new.get_attribute_names().iter() {
            let value = el(new).attr(&name);
            if el(old).attr(&name) != value {
                el(old).set_attr(&name, &value);
            }
        }
    });
}

/// The children of `old` brought to those of `new`, pairwise; elements with a key
/// ([`key_of`]) are matched by it, so an error line or the summary that appears or goes before
/// an input does not replace the input (and take its focus away).
fn sync_children(old: &Element, new: &Element) {
    let mut o = old.first_child();
    // The key of `o`, asked once per node (each is a call into the page).
    let mut o_key = o.as_ref().and_then(key_of);
    let mut n = new.first_child();
    while let Some(nn) = n {
        let next_new = nn.next_sibling();
        let new_id = key_of(&nn);
        // Old nodes whose key this drawing no longer has (an error line gone) go first, so that
        // what follows them is compared with what follows in the drawing.
        while let Some(oo) = o.clone()
            && let Some(have) = &o_key
            && new_id.as_ref() != Some(have)
            && following_with_key(&nn, have).is_none()
        {
            o = oo.next_sibling();
            o_key = o.as_ref().and_then(key_of);
            let _ = old.remove_child(&oo);
        }
        if let (Some(oo), Some(want)) = (o.clone(), new_id.as_ref())
            && o_key.as_ref() != Some(want)
            && let Some(found) = following_with_key(&oo, want)
        {
            // Old nodes before the one this drawing keeps are gone from it.
            let mut cur = Some(oo);
            while let Some(c) = cur.filter(|c| *c != found) {
                cur = c.next_sibling();
                let _ = old.remove_child(&c);
            }
            o = Some(found);
            o_key = Some(want.clone());
        } else if o.is_some()
            && let Some(have) = &o_key
            && new_id.as_ref() != Some(have)
            && following_with_key(&nn, have).is_some()
        {
            // A node new to this drawing, before one kept: put in place, the old one waits.
            let _ = old.insert_before(&nn, o.as_ref());
            n = next_new;
            continue;
        }
        match o {
            None => {
                let _ = old.append_child(&nn);
            }
            Some(oo) => {
                let next_old = oo.next_sibling();
                if oo.node_type() != nn.node_type() {
                    let _ = old.replace_child(&nn, &oo);
                } else if oo.node_type() == Node::ELEMENT_NODE {
                    morph(oo.unchecked_ref(), nn.unchecked_ref());
                } else {
                    // Text: compared and copied as a JavaScript string.
                    let (was, now) = (oo.unchecked_ref::<El>(), nn.unchecked_ref::<El>());
                    let text = now.node_value();
                    if was.node_value() != text {
                        was.set_node_value(&text);
                    }
                }
                o = next_old;
                o_key = o.as_ref().and_then(key_of);
            }
        }
        n = next_new;
    }
    while let Some(oo) = o {
        o = oo.next_sibling();
        let _ = old.remove_child(&oo);
    }
}

/// What makes two siblings the same element of the drawing: its id; else the item it draws
/// (`data-ef-item`); else its first class (a block's own, before its modifiers: `ef-summary`,
/// `ef-page`). None: matched by position. Ids and items stay JavaScript strings, compared in
/// the page: most elements of a form have one, and converting each was a good part of a walk.
#[derive(Clone, PartialEq)]
enum Key {
    Id(JsValue),
    Item(JsValue),
    Class(String),
}

fn key_of(node: &Node) -> Option<Key> {
    let e = node.dyn_ref::<Element>()?;
    NAMES.with(|n| {
        let id = el(e).id();
        if id != n.empty {
            return Some(Key::Id(id));
        }
        let item = el(e).attr(&n.item);
        if !item.is_null() {
            return Some(Key::Item(item));
        }
        el(e).attr(&n.class).as_string().and_then(|c| {
            c.split_whitespace()
                .next()
                .map(|c| Key::Class(c.to_owned()))
        })
    })
}

/// `from` or the first of its following siblings whose key is `key`.
fn following_with_key(from: &Node, key: &Key) -> Option<Node> {
    let mut cur = Some(from.clone());
    while let Some(c) = cur {
        if key_of(&c).as_ref() == Some(key) {
            return Some(c);
        }
        cur = c.next_sibling();
    }
    None
}

/// A control's live state (what it shows) follows its attributes (what was drawn), except in the
/// focused control, which shows what the citizen is typing.
fn sync_state(el: &Element) {
    // A control without a name is not part of the form's data (the text of a report): what is
    // typed in it is the citizen's, not the drawing's.
    let focused = || el.matches(":focus").unwrap_or(false) || !el.has_attribute("name");
    if let Some(input) = el.dyn_ref::<HtmlInputElement>() {
        match input.type_().as_str() {
            "checkbox" | "radio" => input.set_checked(el.has_attribute("checked")),
            "file" => {}
            _ if !focused() => {
                let drawn = el.get_attribute("value").unwrap_or_default();
                if input.value() != drawn {
                    input.set_value(&drawn);
                }
            }
            _ => {}
        }
    } else if let Some(area) = el.dyn_ref::<HtmlTextAreaElement>() {
        let drawn = el.text_content().unwrap_or_default();
        if !focused() && area.value() != drawn {
            area.set_value(&drawn);
        }
    } else if let Some(select) = el.dyn_ref::<HtmlSelectElement>() {
        let mut chosen = None;
        if let Ok(options) = el.query_selector_all("option") {
            for i in 0..options.length() {
                if let Some(o) = options
                    .item(i)
                    .and_then(|o| o.dyn_into::<HtmlOptionElement>().ok())
                    && o.has_attribute("selected")
                {
                    chosen = Some(i as i32);
                }
            }
        }
        let index = chosen.unwrap_or(0);
        if select.selected_index() != index {
            select.set_selected_index(index);
        }
    }
}
