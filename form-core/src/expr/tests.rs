//! Expression tests: parse errors with positions, type errors, and values, as data.

use super::*;
use expect_test::{Expect, expect};
use serde_json::{Value, json};
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

/// The fields of a small birth-registration-like form.
struct Fields;

impl Scope for Fields {
    fn resolve(&self, path: &[String]) -> Option<Type> {
        let p: Vec<&str> = path.iter().map(String::as_str).collect();
        Some(match p.as_slice() {
            ["applicant", "dateOfBirth"] | ["child", "dateOfBirth"] | ["row", "dateOfBirth"] => {
                Type::Date
            }
            ["applicant", "fullName"]
            | ["applicant", "sex"]
            | ["applicant", "idNumber"]
            | ["row", "fullName"] => Type::Text,
            ["income"] | ["deductions"] | ["row", "amount"] => Type::Number,
            ["married"] => Type::Bool,
            ["members"] => Type::List(Box::new(Type::Any)),
            ["members", "amount"] => Type::List(Box::new(Type::Number)),
            ["members", "fullName"] => Type::List(Box::new(Type::Text)),
            _ => return None,
        })
    }
}

fn data() -> Value {
    json!({
        "applicant": {"fullName": "Nguyễn Thị Minh Anh", "dateOfBirth": "1990-05-17", "sex": "nu", "idNumber": "001190012345"},
        "child": {"dateOfBirth": "2025-02-28"},
        "income": 120000000, "deductions": 15500000.5, "married": true,
        "members": [{"fullName": "Trần Minh Khôi", "amount": 10}, {"fullName": "Trần Văn Bình", "amount": 32.5}, {"amount": null}]
    })
}

fn run(src: &str) -> String {
    let mut e = match parse(src) {
        Ok(e) => e,
        Err(err) => {
            return format!(
                "parse error at {}..{}: {}",
                err.span.start, err.span.end, err.message.en
            );
        }
    };
    let ty = match check(&mut e, &Fields) {
        Ok(t) => t,
        Err(err) => {
            return format!(
                "type error at {}..{}: {}",
                err.span.start, err.span.end, err.message.en
            );
        }
    };
    let d = data();
    let row = json!({"fullName": "Trần Minh Khôi", "dateOfBirth": "2018-09-02", "amount": 7});
    let env = Env {
        data: &d,
        row: Some(&row),
        prev: None,
        today: (2025, 11, 25),
    };
    format!("{ty:?} {}", eval(&e, &env).to_json())
}

fn check_all(cases: &[&str], expect: Expect) {
    let out: Vec<String> = cases
        .iter()
        .map(|c| format!("{c}  =>  {}", run(c)))
        .collect();
    expect.assert_eq(&out.join("\n"));
}

#[test]
fn values() {
    check_all(
        &[
            "1 + 2 * 3",
            "(1 + 2) * 3",
            "7 % 3 - -1",
            "age(applicant.dateOfBirth)",
            "age(applicant.dateOfBirth) >= 18 and married",
            "years(applicant.dateOfBirth, child.dateOfBirth)",
            "months(date(\"2025-01-31\"), date(\"2025-02-28\"))",
            "days(child.dateOfBirth, today())",
            "child.dateOfBirth + 1",
            "income - deductions",
            "round(deductions / 3, 2)",
            "sum(members.amount)",
            "count(members)",
            "max(members.amount)",
            "min(income, deductions, 3)",
            "len(applicant.fullName)",
            "matches(applicant.idNumber, \"^0[0-9]{11}$\")",
            "contains(members.fullName, \"Trần Văn Bình\")",
            "contains(applicant.fullName, \"Minh\")",
            "if applicant.sex = \"nu\" then \"Bà\" else \"Ông\"",
            "'Ông ' + applicant.fullName",
            "row.fullName + ' (' + row.amount * 2 + ')'",
            "age(row.dateOfBirth) < 14",
        ],
        expect![[r#"
            1 + 2 * 3  =>  Number 7
            (1 + 2) * 3  =>  Number 9
            7 % 3 - -1  =>  Number 2
            age(applicant.dateOfBirth)  =>  Number 35
            age(applicant.dateOfBirth) >= 18 and married  =>  Bool true
            years(applicant.dateOfBirth, child.dateOfBirth)  =>  Number 34
            months(date("2025-01-31"), date("2025-02-28"))  =>  Number 0
            days(child.dateOfBirth, today())  =>  Number 270
            child.dateOfBirth + 1  =>  Date "2025-03-01"
            income - deductions  =>  Number 104499999.5
            round(deductions / 3, 2)  =>  Number 5166666.83
            sum(members.amount)  =>  Number 42.5
            count(members)  =>  Number 3
            max(members.amount)  =>  Number 32.5
            min(income, deductions, 3)  =>  Number 3
            len(applicant.fullName)  =>  Number 19
            matches(applicant.idNumber, "^0[0-9]{11}$")  =>  Bool true
            contains(members.fullName, "Trần Văn Bình")  =>  Bool true
            contains(applicant.fullName, "Minh")  =>  Bool true
            if applicant.sex = "nu" then "Bà" else "Ông"  =>  Text "Bà"
            'Ông ' + applicant.fullName  =>  Text "Ông Nguyễn Thị Minh Anh"
            row.fullName + ' (' + row.amount * 2 + ')'  =>  type error at 0..36: "+" cannot be used between text and number.
            age(row.dateOfBirth) < 14  =>  Bool true"#]],
    );
}

#[test]
fn empty_values_and_undefined_results() {
    check_all(
        &[
            "1 / 0",
            "income % 0",
            "age(null)",
            "null = null",
            "null > 1",
            "false and null",
            "true or null",
            "true and null",
            "not null",
            "filled(applicant.fullName)",
            "empty(members)",
            "if null then 1 else 2",
        ],
        expect![[r#"
            1 / 0  =>  Number null
            income % 0  =>  Number null
            age(null)  =>  Number null
            null = null  =>  Bool true
            null > 1  =>  Bool null
            false and null  =>  Bool false
            true or null  =>  Bool true
            true and null  =>  Bool null
            not null  =>  Bool null
            filled(applicant.fullName)  =>  Bool true
            empty(members)  =>  Bool false
            if null then 1 else 2  =>  Number 2"#]],
    );
}

#[test]
fn parse_errors_have_positions() {
    check_all(
        &[
            "",
            "1 +",
            "age(applicant.dateOfBirth",
            "1 < 2 < 3",
            "a..b",
            "\"open",
            "4 $ 2",
            "foo(1)",
            "if true then 1",
            "1 2",
            "and",
        ],
        expect![[r#"
              =>  parse error at 0..0: The expression is empty.
            1 +  =>  parse error at 3..3: The expression ends where a value is expected.
            age(applicant.dateOfBirth  =>  parse error at 25..25: Expected ")", found "(end)".
            1 < 2 < 3  =>  parse error at 6..7: Comparisons do not chain; use "and".
            a..b  =>  parse error at 2..3: A field name must follow the dot.
            "open  =>  parse error at 0..5: The text is not closed with a quote.
            4 $ 2  =>  parse error at 2..3: Unexpected character: '$'
            foo(1)  =>  parse error at 0..3: There is no function "foo"; the functions are: today, age, date, days, months, years, len, count, sum, min, max, round, matches, contains, filled, empty, any, all.
            if true then 1  =>  parse error at 14..14: Expected "else", found "(end)".
            1 2  =>  parse error at 2..3: Unexpected "2" after the expression.
            and  =>  parse error at 0..3: A value is missing before "and"."#]],
    );
}

#[test]
fn type_errors_have_positions() {
    check_all(
        &[
            "applicant.fullname",
            "age(applicant.fullName)",
            "income + applicant.fullName",
            "married and income",
            "applicant.sex = 1",
            "sum(members.fullName)",
            "matches(applicant.idNumber, applicant.sex)",
            "matches(applicant.idNumber, \"([\")",
            "date(\"2025-02-30\")",
            "today(1)",
            "if married then 1 else \"x\"",
        ],
        expect![[r#"
            applicant.fullname  =>  type error at 0..18: The form has no field "applicant.fullname".
            age(applicant.fullName)  =>  type error at 4..22: Expected date, but this is text.
            income + applicant.fullName  =>  type error at 0..27: "+" cannot be used between number and text.
            married and income  =>  type error at 12..18: Expected true/false, but this is number.
            applicant.sex = 1  =>  type error at 0..17: "=" cannot be used between text and number.
            sum(members.fullName)  =>  type error at 4..20: Expected list of number, but this is list of text.
            matches(applicant.idNumber, applicant.sex)  =>  type error at 28..41: The pattern of matches() must be a literal text.
            matches(applicant.idNumber, "([")  =>  type error at 28..32: Invalid regular expression: an unclosed character class ([ without ]).
            date("2025-02-30")  =>  type error at 5..17: "2025-02-30" is not a YYYY-MM-DD date.
            today(1)  =>  type error at 0..8: today() takes 0 argument(s), not 1.
            if married then 1 else "x"  =>  type error at 23..26: Expected number, but this is text."#]],
    );
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    let deep = format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000));
    assert!(run(&deep).starts_with("parse error"), "{}", run(&deep));
    let negs = format!("{}1", "-".repeat(10_000));
    assert!(run(&negs).starts_with("parse error"));
    let long = "1 + ".repeat(2000) + "1";
    assert!(run(&long).starts_with("parse error"));
    // Within the length limit, a flat chain is bounded by its number of parts.
    let flat = "1+".repeat(2000) + "1";
    assert!(flat.len() <= MAX_LEN);
    assert!(
        run(&flat).contains("more than 1000 parts"),
        "{}",
        run(&flat)
    );
    let fine = "1+".repeat(400) + "1";
    assert_eq!(run(&fine), "Number 401");
}

#[test]
fn civil_dates_round_trip() {
    for d in [-719_468, -1, 0, 1, 11_016, 20_000, 2_932_896] {
        let (y, m, dd) = eval::civil_from_days(d);
        assert_eq!(eval::days_from_civil(y, m, dd), d);
    }
    assert_eq!(eval::days_from_civil(1970, 1, 1), 0);
    assert_eq!(eval::days_from_civil(2000, 3, 1), 11_017);
}
