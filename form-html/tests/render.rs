//! The renderer read back by a real HTML5 parser (`scraper`, html5ever): every real form's
//! example drawn, "sent" as a browser sends a form without JavaScript, and read back gives the
//! same submission; errors are linked from the summary to elements that exist and described on
//! their fields; every control is labelled; nothing from the definition or the data becomes
//! markup.

use form_core::{Diagnostic, Form, Lang, Ymd, load, load_value};
use form_html::read::data_from_post;
use form_html::{Page, Ui};
use scraper::{ElementRef, Html, Selector};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;

const TODAY: Ymd = (2026, 12, 6);

macro_rules! forms {
    ($($id:literal),*) => {
        &[$((
            $id,
            include_str!(concat!("../../schemas/forms/", $id, ".json")),
            include_str!(concat!("../../schemas/forms/", $id, ".example.json")),
        )),*]
    };
}

const FORMS: &[(&str, &str, &str)] = forms![
    "birth-registration",
    "ct01",
    "household-business",
    "judicial-record",
    "marriage-registration",
    "pit-finalisation"
];

fn units() -> Arc<form_core::AdminUnits> {
    Arc::new(
        form_core::AdminUnits::from_json(include_str!("../../schemas/data/admin-units.json"))
            .unwrap(),
    )
}

fn render(form: &Form, data: &Value, lang: Lang, errors: &[Diagnostic], current: usize) -> String {
    let (locked, notes) = (BTreeSet::new(), BTreeMap::new());
    form_html::form(&Page {
        form,
        data,
        lang,
        today: TODAY,
        errors,
        current,
        locked: &locked,
        notes: &notes,
        live: None,
        action: Some("/f/x"),
        hidden: &[("csrf", "t0k\"en")],
        submit: Ui::SubmitDossier,
    })
}

/// What a browser sends for a form: its successful controls, in document order.
fn submission(doc: &Html) -> Vec<(String, String)> {
    let controls = Selector::parse("input, select, textarea").unwrap();
    let option = Selector::parse("option").unwrap();
    let mut out = Vec::new();
    for el in doc.select(&controls) {
        let a = |n: &str| el.value().attr(n);
        let (Some(name), false) = (a("name"), a("disabled").is_some()) else {
            continue;
        };
        match el.value().name() {
            "select" => {
                let options: Vec<ElementRef> = el.select(&option).collect();
                let chosen = options
                    .iter()
                    .find(|o| o.value().attr("selected").is_some())
                    .or(options.first());
                if let Some(o) = chosen {
                    out.push((
                        name.to_owned(),
                        o.value().attr("value").unwrap_or("").to_owned(),
                    ));
                }
            }
            "textarea" => out.push((name.to_owned(), el.text().collect())),
            _ => match a("type").unwrap_or("text") {
                "checkbox" | "radio" if a("checked").is_none() => {}
                "file" => {}
                _ => out.push((name.to_owned(), a("value").unwrap_or("").to_owned())),
            },
        }
    }
    out
}

#[test]
fn every_example_drawn_and_sent_reads_back_the_same() {
    for (id, definition, example) in FORMS {
        let form = load(definition).form.unwrap().with_admin_units(units());
        let mut data: Value = serde_json::from_str(example).unwrap();
        // An unticked box is no value, in the runtime as in a post (examples write `false`).
        for f in form
            .fields()
            .iter()
            .filter(|f| f.widget == form_core::Widget::Checkbox)
        {
            for ptr in form_core::pointer::instances(&f.pointer, &data) {
                if form_core::pointer::get(&data, &ptr) == Some(&Value::Bool(false)) {
                    form_core::pointer::remove(&mut data, &ptr);
                }
            }
        }
        for lang in [Lang::Vi, Lang::En] {
            let html = render(&form, &data, lang, &[], 0);
            let doc = Html::parse_document(&html);
            let pairs = submission(&doc);
            // What the post cannot carry (attached files) the portal already holds.
            let mut base = json!({});
            for f in form
                .fields()
                .iter()
                .filter(|f| f.widget == form_core::Widget::File)
            {
                if let Some(v) = form_core::pointer::get(&data, &f.pointer) {
                    form_core::pointer::set(&mut base, &f.pointer, v.clone());
                }
            }
            let post = data_from_post(&form, &base, &pairs);
            assert_eq!(post.go, None);
            let (was, now) = (
                form.evaluate(&data, TODAY),
                form.evaluate(&post.data, TODAY),
            );
            assert_eq!(
                now.data, was.data,
                "{id} ({lang:?}): the submission differs"
            );
            assert_eq!(now.errors, was.errors, "{id} ({lang:?})");
        }
    }
}

#[test]
fn every_control_is_labelled_and_every_id_is_unique() {
    for (id, definition, _) in FORMS {
        let form = load(definition).form.unwrap().with_admin_units(units());
        let data = json!({});
        let errors = form.evaluate(&data, TODAY).errors;
        let html = render(&form, &data, Lang::Vi, &errors, 0);
        let doc = Html::parse_document(&html);
        let mut ids = HashSet::new();
        for el in doc.select(&Selector::parse("[id]").unwrap()) {
            let i = el.value().attr("id").unwrap();
            assert!(ids.insert(i.to_owned()), "{id}: id {i} twice");
        }
        let labelled: HashSet<String> = doc
            .select(&Selector::parse("label[for]").unwrap())
            .map(|l| l.value().attr("for").unwrap().to_owned())
            .collect();
        for el in
            doc.select(&Selector::parse("input:not([type=hidden]), select, textarea").unwrap())
        {
            let i = el.value().attr("id").unwrap_or("");
            assert!(labelled.contains(i), "{id}: control {i} has no label");
        }
        // Each error of the summary links to an element of the page; each field in error is
        // marked invalid and described by its error.
        let links: Vec<String> = doc
            .select(&Selector::parse(".ef-summary a").unwrap())
            .map(|a| {
                a.value()
                    .attr("href")
                    .unwrap()
                    .trim_start_matches('#')
                    .to_owned()
            })
            .collect();
        assert_eq!(links.len(), errors.len(), "{id}");
        for target in &links {
            assert!(
                ids.contains(target),
                "{id}: the summary links to #{target}, not drawn"
            );
        }
        for err in doc.select(&Selector::parse(".ef-error[id]").unwrap()) {
            let eid = err.value().attr("id").unwrap();
            let described = doc
                .select(&Selector::parse("[aria-describedby]").unwrap())
                .any(|e| {
                    e.value()
                        .attr("aria-describedby")
                        .unwrap()
                        .split(' ')
                        .any(|d| d == eid)
                });
            assert!(described, "{id}: nothing is described by {eid}");
        }
        assert!(
            doc.select(&Selector::parse("[aria-invalid=true]").unwrap())
                .next()
                .is_some()
        );
    }
}

#[test]
fn nothing_written_becomes_markup() {
    let evil = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'&";
    let def = json!({
        "id": "evil", "version": 1,
        "title": {"vi": evil, "en": evil},
        "description": {"vi": evil, "en": evil},
        "dataSchema": {"type": "object", "properties": {
            "name": {"type": "string"},
            "kind": {"type": "string", "enum": ["a\"><b>"]},
            "note": {"type": "string"}
        }},
        "pages": [{"id": "p", "title": {"vi": evil, "en": evil}, "sections": [{"id": "s", "title": {"vi": evil, "en": evil}, "help": {"vi": evil, "en": evil}, "items": [
            {"widget": "text", "pointer": "/name", "label": {"vi": evil, "en": evil}, "help": {"vi": evil, "en": evil}},
            {"widget": "select", "pointer": "/kind", "label": {"vi": evil, "en": evil}, "options": [{"value": "a\"><b>", "label": {"vi": evil, "en": evil}}]},
            {"widget": "textarea", "pointer": "/note", "label": {"vi": evil, "en": evil}},
            {"widget": "static", "text": {"vi": evil, "en": evil}}
        ]}]}]
    });
    let loaded = load_value(&def);
    let form = loaded
        .form
        .unwrap_or_else(|| panic!("{:?}", loaded.diagnostics));
    let data = json!({"name": evil, "kind": "a\"><b>", "note": format!("</textarea>{evil}")});
    let html = render(&form, &data, Lang::En, &[], 0);
    let doc = Html::parse_document(&html);
    for tag in ["script", "img", "b"] {
        assert!(
            doc.select(&Selector::parse(tag).unwrap()).next().is_none(),
            "a <{tag}> came out of text"
        );
    }
    let title: String = doc
        .select(&Selector::parse("h1").unwrap())
        .next()
        .unwrap()
        .text()
        .collect();
    assert_eq!(title, evil);
    // And what was entered reads back as entered.
    let post = data_from_post(&form, &json!({}), &submission(&doc));
    assert_eq!(post.data, data);
}

#[test]
fn without_a_script_rows_are_added_removed_and_moved_and_pages_chosen() {
    let (_, definition, example) = FORMS.iter().find(|f| f.0 == "judicial-record").unwrap();
    let form = load(definition).form.unwrap().with_admin_units(units());
    let data: Value = serde_json::from_str(example).unwrap();
    let rows = data["history"].as_array().unwrap().len();
    let doc = Html::parse_document(&render(&form, &data, Lang::Vi, &[], 1));
    let pairs = submission(&doc);
    let press = |name: &str, value: &str| {
        let mut p = pairs.clone();
        p.push((name.to_owned(), value.to_owned()));
        data_from_post(&form, &json!({}), &p)
    };
    let added = press("ef-action", "add:/history");
    assert!(added.row_action);
    assert_eq!(added.data["history"].as_array().unwrap().len(), rows + 1);
    let removed = press("ef-action", "remove:/history/0");
    assert_eq!(removed.data["history"][0], data["history"][1]);
    let moved = press("ef-action", "down:/history/0");
    assert_eq!(moved.data["history"][1], data["history"][0]);
    assert!(
        !press("ef-action", "up:/history/0").row_action,
        "the first row cannot go up"
    );
    // Only a table's rows: a forged action elsewhere does nothing.
    for forged in [
        "add:",
        "add:/applicant",
        "remove:/applicant/0",
        "add:/history/0/from",
    ] {
        let p = press("ef-action", forged);
        assert!(!p.row_action, "{forged}");
        assert_eq!(p.data["applicant"], data["applicant"], "{forged}");
    }
    assert_eq!(press("ef-go", "0").go, Some(0));
    // The buttons are there: Back and Continue on page 2 of 3, a row's buttons, Add.
    let buttons: Vec<(String, String)> = doc
        .select(&Selector::parse("button[name]").unwrap())
        .map(|b| {
            (
                b.value().attr("name").unwrap().to_owned(),
                b.value().attr("value").unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        buttons.contains(&("ef-go".into(), "0".into())),
        "{buttons:?}"
    );
    assert!(buttons.contains(&("ef-action".into(), "add:/history".into())));
    assert!(buttons.contains(&("ef-action".into(), "remove:/history/2".into())));
    // Only the page asked for shows.
    let shown: Vec<String> = doc
        .select(&Selector::parse(".ef-page:not(.ef-page--off) .ef-page__title").unwrap())
        .map(|h| h.text().collect())
        .collect();
    assert_eq!(shown.len(), 1);
}

#[test]
fn a_drawing_can_have_every_submit_button_disabled() {
    // Every real form, on each of its pages, filled (tables have rows: their buttons too); and
    // no button without a type (a submit button too), nor an input that submits.
    let submits = Selector::parse("button[type=submit]").unwrap();
    let disabled = Selector::parse("button[type=submit][disabled]").unwrap();
    let others =
        Selector::parse("button:not([type]), input[type=submit], input[type=image]").unwrap();
    for (id, definition, example) in FORMS {
        let form = load(definition).form.unwrap().with_admin_units(units());
        let data: Value = serde_json::from_str(example).unwrap();
        for current in 0..form.definition().pages.len() {
            let drawn = render(&form, &data, Lang::Vi, &[], current);
            let held = Html::parse_document(&form_html::submits_disabled(&drawn));
            let count = held.select(&submits).count();
            assert!(count >= 2, "{id}: {count}");
            assert_eq!(held.select(&disabled).count(), count, "{id}");
            assert_eq!(held.select(&others).count(), 0, "{id}");
            // Nothing else changed: the same controls, sent the same way.
            assert_eq!(
                submission(&held),
                submission(&Html::parse_document(&drawn)),
                "{id}"
            );
        }
    }
    // A label naming a submit button stays text.
    let written = "<button type=\"submit\">";
    let loaded = load_value(&json!({
        "id": "x", "version": 1, "title": {"vi": written, "en": written},
        "dataSchema": {"type": "object", "properties": {"a": {"type": "string"}}},
        "pages": [{"id": "p", "title": {"vi": "p", "en": "p"}, "sections": [{"id": "s", "items": [
            {"widget": "text", "pointer": "/a", "label": {"vi": written, "en": written}}
        ]}]}]
    }));
    let hostile = loaded
        .form
        .unwrap_or_else(|| panic!("{:?}", loaded.diagnostics));
    let drawn = render(&hostile, &json!({"a": written}), Lang::Vi, &[], 0);
    assert_eq!(
        form_html::submits_disabled(&drawn)
            .matches(" disabled")
            .count(),
        drawn.matches("<button type=\"submit\"").count()
    );
    assert!(form_html::submits_disabled(&drawn).contains("&lt;button type=&quot;submit&quot;&gt;"));
}

/// The light runtime draws a changed item again alone (`form_html::item`) and merges it into the
/// page: alone, every item of every real form, filled and with its errors shown, is drawn
/// exactly as the whole form draws it, and its element carries its pointer.
#[test]
fn an_item_drawn_alone_is_drawn_as_in_the_whole_form() {
    for (id, definition, example) in FORMS {
        let form = load(definition).form.unwrap().with_admin_units(units());
        let full: Value = serde_json::from_str(example).unwrap();
        for data in [full.clone(), json!({})] {
            let evaluation = form.evaluate(&data, TODAY);
            let (locked, notes) = (BTreeSet::new(), BTreeMap::new());
            let page = Page {
                form: &form,
                data: &data,
                lang: Lang::En,
                today: TODAY,
                errors: &evaluation.errors,
                current: 0,
                locked: &locked,
                notes: &notes,
                live: None,
                action: None,
                hidden: &[],
                submit: Ui::Submit,
            };
            let whole = form_html::form_with(&page, &evaluation);
            let pointers: Vec<String> = form
                .definition()
                .pages
                .iter()
                .flat_map(|p| &p.sections)
                .flat_map(|s| &s.items)
                .filter_map(|i| i.pointer.clone())
                .collect();
            assert!(!pointers.is_empty(), "{id}");
            for ptr in pointers {
                let alone = form_html::item(&page, &evaluation, &ptr).unwrap();
                assert!(whole.contains(&alone), "{id} {ptr}: drawn alone differs");
                let marked = format!("{}=\"{}\"", form_html::ITEM, form_html::esc(&ptr));
                assert!(alone.contains(&marked), "{id} {ptr}: not marked");
            }
            assert_eq!(form_html::item(&page, &evaluation, "/no/such/item"), None);
        }
    }
}

/// "Report a mistake" is drawn under each locked field only when a script can send it (never
/// in the page served without JavaScript), its textarea is not part of the form's data, and what
/// became of a report is text, however it is worded.
#[test]
fn a_report_is_drawn_under_a_locked_field_only_when_it_can_be_sent() {
    let (_, text, example) = FORMS.iter().find(|(id, ..)| *id == "ct01").unwrap();
    let form = load(text).form.unwrap().with_admin_units(units());
    let data: Value = serde_json::from_str(example).unwrap();
    let locked: BTreeSet<String> = ["/applicant/fullName".to_owned()].into();
    let notes = BTreeMap::new();
    let draw = |reports: Option<BTreeMap<String, (String, bool)>>| {
        let live = form_html::Live {
            reports,
            ..Default::default()
        };
        Html::parse_fragment(&form_html::form(&Page {
            form: &form,
            data: &data,
            lang: Lang::En,
            today: TODAY,
            errors: &[],
            current: 0,
            locked: &locked,
            notes: &notes,
            live: Some(&live),
            action: None,
            hidden: &[],
            submit: Ui::Submit,
        }))
    };
    let report = Selector::parse("details[data-ef-report]").unwrap();
    assert_eq!(draw(None).select(&report).count(), 0);
    let doc = draw(Some(BTreeMap::new()));
    let drawn: Vec<ElementRef> = doc.select(&report).collect();
    assert_eq!(drawn.len(), 1, "one locked field, one report");
    assert_eq!(
        drawn[0].value().attr("data-ef-report"),
        Some("/applicant/fullName")
    );
    let area = Selector::parse("textarea").unwrap();
    let textarea = drawn[0].select(&area).next().unwrap();
    assert_eq!(textarea.value().attr("name"), None, "not part of the data");
    assert!(textarea.value().attr("disabled").is_none());
    let sent: BTreeMap<String, (String, bool)> = [(
        "/applicant/fullName".to_owned(),
        ("<b>Report sent</b>".to_owned(), true),
    )]
    .into();
    let doc = draw(Some(sent));
    let drawn = doc.select(&report).next().unwrap();
    let status = Selector::parse("[role=status]").unwrap();
    let line = drawn.select(&status).next().unwrap();
    assert_eq!(line.text().collect::<String>(), "<b>Report sent</b>");
    assert_eq!(line.children().count(), 1, "the status is text, not markup");
    assert!(
        drawn
            .select(&area)
            .next()
            .unwrap()
            .value()
            .attr("disabled")
            .is_some()
    );
}

/// The runtime's drawing marks each item with a digest of its drawing (`data-ef-drawn`), which
/// tells it that an item is drawn as it already is; it changes with the item's value, its error
/// and its language, and only that item's. The portal's page has none.
#[test]
fn the_runtime_marks_each_item_with_a_digest_of_its_drawing() {
    let (_, text, example) = FORMS.iter().find(|(id, ..)| *id == "ct01").unwrap();
    let form = load(text).form.unwrap().with_admin_units(units());
    let example: Value = serde_json::from_str(example).unwrap();
    let (locked, notes) = (BTreeSet::new(), BTreeMap::new());
    let live = form_html::Live::default();
    let draw = |data: &Value, lang: Lang, errors: &[Diagnostic], live| {
        form_html::form(&Page {
            form: &form,
            data,
            lang,
            today: TODAY,
            errors,
            current: 0,
            locked: &locked,
            notes: &notes,
            live,
            action: None,
            hidden: &[],
            submit: Ui::Submit,
        })
    };
    let digests = |html: &str| -> BTreeMap<String, String> {
        let doc = Html::parse_fragment(html);
        let items = Selector::parse("[data-ef-item]").unwrap();
        doc.select(&items)
            .filter_map(|e| {
                Some((
                    e.value().attr("data-ef-item")?.to_owned(),
                    e.value().attr(form_html::DRAWN)?.to_owned(),
                ))
            })
            .collect()
    };
    assert!(digests(&draw(&example, Lang::En, &[], None)).is_empty());
    let before = digests(&draw(&example, Lang::En, &[], Some(&live)));
    let items = Html::parse_fragment(&draw(&example, Lang::En, &[], None))
        .select(&Selector::parse("[data-ef-item]").unwrap())
        .count();
    assert_eq!(before.len(), items, "every item has its digest");
    assert_eq!(before, digests(&draw(&example, Lang::En, &[], Some(&live))));
    let mut changed = example.clone();
    changed["applicant"]["fullName"] = json!("Trần Thị B");
    let after = digests(&draw(&changed, Lang::En, &[], Some(&live)));
    let differ: Vec<&String> = before.keys().filter(|k| before[*k] != after[*k]).collect();
    assert_eq!(differ, ["/applicant/fullName"]);
    let error = form.validate(&json!({}), TODAY);
    let missing = error
        .iter()
        .find(|d| d.pointer == "/applicant/fullName")
        .unwrap();
    let with_error = digests(&draw(
        &example,
        Lang::En,
        std::slice::from_ref(missing),
        Some(&live),
    ));
    assert_ne!(
        with_error["/applicant/fullName"],
        before["/applicant/fullName"]
    );
    let vi = digests(&draw(&example, Lang::Vi, &[], Some(&live)));
    assert_ne!(
        vi["/applicant/fullName"], before["/applicant/fullName"],
        "the words are in the drawing"
    );
}
