//! Default messages for data errors, in Vietnamese and English.
//!
//! Written for citizens: say what to do, not what went wrong inside ("Enter …", "Choose …").

use crate::format::Format;
use crate::schema::{ErrorKind, JsonType};
use crate::text::Text;
use serde_json::Value;

/// The message for one failed keyword.
pub fn for_error(kind: &ErrorKind) -> Text {
    match kind {
        ErrorKind::Required => Text::new("Vui lòng nhập thông tin này.", "Enter this information."),
        ErrorKind::Type(types) => {
            let vi: Vec<&str> = types.iter().map(|t| type_name_vi(*t)).collect();
            let en: Vec<&str> = types.iter().map(|t| type_name_en(*t)).collect();
            Text::new(
                format!("Giá trị phải là {}.", vi.join(" hoặc ")),
                format!("The value must be {}.", en.join(" or ")),
            )
        }
        ErrorKind::Enum(values) if values.len() <= 16 => {
            let list = values.iter().map(show).collect::<Vec<_>>().join(", ");
            Text::new(
                format!("Chọn một trong các giá trị: {list}."),
                format!("Choose one of: {list}."),
            )
        }
        ErrorKind::Enum(_) => Text::new(
            "Chọn một giá trị trong danh sách.",
            "Choose one of the listed options.",
        ),
        ErrorKind::Const(v) => Text::new(
            format!("Giá trị phải là {}.", show(v)),
            format!("The value must be {}.", show(v)),
        ),
        ErrorKind::MinLength(n) => Text::new(
            format!("Nhập ít nhất {n} ký tự."),
            format!("Enter at least {n} character{}.", plural(*n)),
        ),
        ErrorKind::MaxLength(n) => Text::new(
            format!("Nhập không quá {n} ký tự."),
            format!("Enter no more than {n} character{}.", plural(*n)),
        ),
        ErrorKind::Pattern(_) => Text::new(
            "Giá trị chưa đúng định dạng.",
            "The value is not in the expected format.",
        ),
        ErrorKind::Format(Format::Date) => Text::new(
            "Nhập một ngày có thật theo dạng ngày/tháng/năm, ví dụ 17/05/1990.",
            "Enter a real date as dd/mm/yyyy, for example 17/05/1990.",
        ),
        ErrorKind::Format(Format::YearMonth) => Text::new(
            "Nhập tháng và năm theo dạng tháng/năm, ví dụ 03/2020.",
            "Enter a month and year as mm/yyyy, for example 03/2020.",
        ),
        ErrorKind::Format(Format::Email) => Text::new(
            "Nhập địa chỉ email đúng dạng, ví dụ ten@example.vn.",
            "Enter an email address in the correct format, like name@example.vn.",
        ),
        ErrorKind::Minimum(n) => Text::new(
            format!("Giá trị phải từ {} trở lên.", num(*n)),
            format!("The value must be {} or more.", num(*n)),
        ),
        ErrorKind::Maximum(n) => Text::new(
            format!("Giá trị phải từ {} trở xuống.", num(*n)),
            format!("The value must be {} or less.", num(*n)),
        ),
        ErrorKind::ExclusiveMinimum(n) => Text::new(
            format!("Giá trị phải lớn hơn {}.", num(*n)),
            format!("The value must be more than {}.", num(*n)),
        ),
        ErrorKind::ExclusiveMaximum(n) => Text::new(
            format!("Giá trị phải nhỏ hơn {}.", num(*n)),
            format!("The value must be less than {}.", num(*n)),
        ),
        ErrorKind::MultipleOf(n) => Text::new(
            format!("Giá trị phải là bội số của {}.", num(*n)),
            format!("The value must be a multiple of {}.", num(*n)),
        ),
        ErrorKind::MinItems(n) => Text::new(
            format!("Cần ít nhất {n} mục."),
            format!("Add at least {n} {}.", entries(*n)),
        ),
        ErrorKind::MaxItems(n) => Text::new(
            format!("Chỉ được tối đa {n} mục."),
            format!("Add no more than {n} {}.", entries(*n)),
        ),
        ErrorKind::UniqueItems => Text::new(
            "Các giá trị không được trùng nhau.",
            "The entries must not repeat.",
        ),
        ErrorKind::AdditionalProperty(name) => Text::new(
            format!("Thông tin \"{name}\" không có trong biểu mẫu."),
            format!("\"{name}\" is not a field of this form."),
        ),
        ErrorKind::False => Text::new("Không được có giá trị ở đây.", "No value is allowed here."),
    }
}

fn type_name_vi(t: JsonType) -> &'static str {
    match t {
        JsonType::Null => "rỗng",
        JsonType::Boolean => "đúng/sai",
        JsonType::Object => "một nhóm thông tin",
        JsonType::Array => "một danh sách",
        JsonType::Number => "một số",
        JsonType::Integer => "một số nguyên",
        JsonType::String => "văn bản",
    }
}

fn type_name_en(t: JsonType) -> &'static str {
    match t {
        JsonType::Null => "empty",
        JsonType::Boolean => "true or false",
        JsonType::Object => "a group of fields",
        JsonType::Array => "a list",
        JsonType::Number => "a number",
        JsonType::Integer => "a whole number",
        JsonType::String => "text",
    }
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e30 {
        format!("{}", n as i128)
    } else {
        // serde_json's shortest round-trip formatting (the bundle needs no second float printer).
        serde_json::Number::from_f64(n).map_or_else(String::new, |x| x.to_string())
    }
}

/// The English plural ending for a count.
fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn entries(n: u64) -> &'static str {
    if n == 1 { "entry" } else { "entries" }
}
