//! Vietnam's personal identification number (số định danh cá nhân, Circular 07/2016/TT-BCA):
//! 12 digits — 1–3 the code of the province where the birth was registered (a country code for
//! births registered abroad), 4 the sex and century of birth, 5–6 the last two digits of the year
//! of birth, 7–12 a random number.

/// What the structure of an ID number says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdNumber {
    /// The first three digits.
    pub place: String,
    /// The province of that code, if it is one of the 63 provinces of Appendix I.
    pub province: Option<&'static str>,
    pub male: bool,
    pub birth_year: u32,
}

/// Parses 12 ASCII digits; `None` otherwise.
pub fn parse(s: &str) -> Option<IdNumber> {
    let b = s.as_bytes();
    if b.len() != 12 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let digit = |i: usize| u32::from(b[i] - b'0');
    let century_digit = digit(3);
    let birth_year = 1900 + (century_digit / 2) * 100 + digit(4) * 10 + digit(5);
    let place = s[..3].to_owned();
    let province = PROVINCES
        .iter()
        .find(|(code, _)| *code == place)
        .map(|(_, name)| *name);
    Some(IdNumber {
        place,
        province,
        male: century_digit % 2 == 0,
        birth_year,
    })
}

/// Appendix I of Circular 07/2016/TT-BCA: codes of the provinces where births are registered
/// (the 63 provinces before the 2025 reorganisation; numbers already issued keep them).
pub const PROVINCES: [(&str, &str); 63] = [
    ("001", "Hà Nội"),
    ("002", "Hà Giang"),
    ("004", "Cao Bằng"),
    ("006", "Bắc Kạn"),
    ("008", "Tuyên Quang"),
    ("010", "Lào Cai"),
    ("011", "Điện Biên"),
    ("012", "Lai Châu"),
    ("014", "Sơn La"),
    ("015", "Yên Bái"),
    ("017", "Hòa Bình"),
    ("019", "Thái Nguyên"),
    ("020", "Lạng Sơn"),
    ("022", "Quảng Ninh"),
    ("024", "Bắc Giang"),
    ("025", "Phú Thọ"),
    ("026", "Vĩnh Phúc"),
    ("027", "Bắc Ninh"),
    ("030", "Hải Dương"),
    ("031", "Hải Phòng"),
    ("033", "Hưng Yên"),
    ("034", "Thái Bình"),
    ("035", "Hà Nam"),
    ("036", "Nam Định"),
    ("037", "Ninh Bình"),
    ("038", "Thanh Hóa"),
    ("040", "Nghệ An"),
    ("042", "Hà Tĩnh"),
    ("044", "Quảng Bình"),
    ("045", "Quảng Trị"),
    ("046", "Thừa Thiên Huế"),
    ("048", "Đà Nẵng"),
    ("049", "Quảng Nam"),
    ("051", "Quảng Ngãi"),
    ("052", "Bình Định"),
    ("054", "Phú Yên"),
    ("056", "Khánh Hòa"),
    ("058", "Ninh Thuận"),
    ("060", "Bình Thuận"),
    ("062", "Kon Tum"),
    ("064", "Gia Lai"),
    ("066", "Đắk Lắk"),
    ("067", "Đắk Nông"),
    ("068", "Lâm Đồng"),
    ("070", "Bình Phước"),
    ("072", "Tây Ninh"),
    ("074", "Bình Dương"),
    ("075", "Đồng Nai"),
    ("077", "Bà Rịa - Vũng Tàu"),
    ("079", "Hồ Chí Minh"),
    ("080", "Long An"),
    ("082", "Tiền Giang"),
    ("083", "Bến Tre"),
    ("084", "Trà Vinh"),
    ("086", "Vĩnh Long"),
    ("087", "Đồng Tháp"),
    ("089", "An Giang"),
    ("091", "Kiên Giang"),
    ("092", "Cần Thơ"),
    ("093", "Hậu Giang"),
    ("094", "Sóc Trăng"),
    ("095", "Bạc Liêu"),
    ("096", "Cà Mau"),
];

/// Values of a sex field read as male or female (`None`: not recognised, no check).
pub fn sex_is_male(value: &str) -> Option<bool> {
    match crate::text::lower(value.trim()).as_str() {
        "nam" | "male" | "m" => Some(true),
        "nu" | "nữ" | "female" | "f" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn structure() {
        let id = parse("001190012345").unwrap();
        assert_eq!(
            (id.province, id.male, id.birth_year),
            (Some("Hà Nội"), false, 1990)
        );
        let id = parse("079218007654").unwrap();
        assert_eq!(
            (id.province, id.male, id.birth_year),
            (Some("Hồ Chí Minh"), true, 2018)
        );
        assert_eq!(parse("250405000001").unwrap().birth_year, 2105);
        assert_eq!(parse("250405000001").unwrap().province, None);
        assert!(parse("00119001234").is_none());
        assert!(parse("00119001234٣").is_none());
    }
}
