//! Numbers as JSON Schema compares them: by their value, exactly. A JSON integer is kept as an
//! integer (not rounded to the nearest `f64` past 2^53), integers and floats are ordered against
//! each other without rounding, and `multipleOf` with a fractional divisor is decided in decimal,
//! as the numbers are written (`19.99` is a multiple of `0.01`, `1e308` one of `0.5`).
//!
//! The reference validator (the `jsonschema` crate) decides the same way; the differential tests
//! generate numbers around 2^53, huge and tiny ones, to keep it so.

use std::cmp::Ordering;

/// A JSON number: an integer exactly, or a finite float.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Num {
    Int(i128),
    Float(f64),
}

/// 2^53: every integer up to this magnitude is exactly an `f64`.
const EXACT_F64: f64 = 9_007_199_254_740_992.0;

/// 2^127: floats at least this large are beyond every `i128`.
const I128_RANGE: f64 = 170_141_183_460_469_231_731_687_303_715_884_105_728.0;

impl Num {
    /// The number of a JSON value (`None` for a number that is no finite `f64`, possible only
    /// with serde_json's `arbitrary_precision`).
    pub fn of(n: &serde_json::Number) -> Option<Num> {
        if let Some(i) = n.as_i64() {
            Some(Num::Int(i.into()))
        } else if let Some(u) = n.as_u64() {
            Some(Num::Int(u.into()))
        } else {
            n.as_f64().filter(|f| f.is_finite()).map(Num::Float)
        }
    }

    /// The nearest `f64` (for messages and the UI).
    pub fn to_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }

    /// The exact order of two numbers.
    pub fn compare(self, other: Num) -> Ordering {
        match (self, other) {
            (Num::Int(a), Num::Int(b)) => a.cmp(&b),
            (Num::Float(a), Num::Float(b)) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
            (Num::Int(a), Num::Float(b)) => int_vs_float(a, b),
            (Num::Float(a), Num::Int(b)) => int_vs_float(b, a).reverse(),
        }
    }

    /// Equal in value (`1` and `1.0`; `9007199254740993` and `9007199254740992.0` are not).
    pub fn same(self, other: Num) -> bool {
        self.compare(other) == Ordering::Equal
    }

    /// Whether `self` divided by `divisor` (positive) is an integer. A whole divisor up to 2^53
    /// divides an integer exactly (one past 2^53 is not rounded first); a fractional one divides
    /// the decimal the float is written as, its shortest round-trip form. Past 2^53 — a divisor,
    /// or an integer meeting a fractional divisor — both are read as the `f64`s they round to,
    /// as the reference validator reads them: the two verdicts must be one.
    pub fn is_multiple_of(self, divisor: Num) -> bool {
        let d = divisor.to_f64();
        if d.fract() == 0.0 {
            if let (Num::Int(x), Num::Int(m)) = (self, divisor) {
                return m != 0 && x % m == 0;
            }
            if let Num::Int(x) = self
                && d <= EXACT_F64
            {
                return x % (d as i128) == 0;
            }
            // Both whole in binary: `%` on floats is exact.
            let x = self.to_f64();
            return x.fract() == 0.0 && x % d == 0.0;
        }
        // An integer meets a fractional divisor as the `f64` it rounds to, as the reference
        // validator reads it (2^53 + 1 and 2.675 answer as 2^53 does): the two must agree, and
        // only integers past 2^53 are rounded.
        let x = match self {
            Num::Int(i) if i.unsigned_abs() > EXACT_F64 as u128 => Num::Float(i as f64),
            x => x,
        };
        let (xm, xe) = x.decimal();
        let (mm, me) = divisor.decimal();
        if xm == 0 {
            return true;
        }
        if mm == 0 {
            return false;
        }
        if xe >= me {
            // xm·10^(xe−me) ≡ 0 (mod mm); both factors below mm ≤ 2^64, so no overflow.
            let k = (xe - me) as u32;
            ((xm % mm) * pow10_mod(k, mm)).is_multiple_of(mm)
        } else {
            let k = (me - xe) as u32;
            10u128
                .checked_pow(k)
                .and_then(|p| p.checked_mul(mm))
                .is_some_and(|divisor| xm.is_multiple_of(divisor))
        }
    }

    /// The magnitude as `mantissa · 10^exponent`, from the shortest decimal of a float
    /// (`19.99`, `1e308`, `1.5e-9`, `100.0` alike).
    fn decimal(self) -> (u128, i32) {
        match self {
            Num::Int(i) => (i.unsigned_abs(), 0),
            Num::Float(f) => {
                // serde_json's shortest round-trip text (ryu): core's `{:e}` would bring a
                // second float printer into the browser bundle.
                let text = serde_json::Number::from_f64(f.abs())
                    .map_or_else(String::new, |n| n.to_string());
                let (digits, exp) = text.split_once('e').unwrap_or((&text, "0"));
                let exp: i32 = exp.parse().unwrap_or(0);
                let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
                let mantissa: u128 = format!("{whole}{fraction}").parse().unwrap_or(0);
                (mantissa, exp - fraction.len() as i32)
            }
        }
    }
}

/// The exact order of an integer and a finite float.
fn int_vs_float(i: i128, f: f64) -> Ordering {
    if f >= I128_RANGE {
        return Ordering::Less;
    }
    if f < -I128_RANGE {
        return Ordering::Greater;
    }
    let whole = f.trunc();
    // Exact: |whole| < 2^127 and it has no fraction.
    match i.cmp(&(whole as i128)) {
        Ordering::Equal => 0.0.partial_cmp(&(f - whole)).unwrap_or(Ordering::Equal),
        other => other,
    }
}

/// 10^k mod m (m > 0, m < 2^64).
fn pow10_mod(mut k: u32, m: u128) -> u128 {
    let (mut result, mut base) = (1 % m, 10 % m);
    while k > 0 {
        if k & 1 == 1 {
            result = result * base % m;
        }
        base = base * base % m;
        k >>= 1;
    }
    result
}

#[cfg(test)]
mod tests {
    use super::Num::{self, Float, Int};
    use std::cmp::Ordering::*;

    #[test]
    fn integers_and_floats_are_ordered_exactly() {
        let big = (1i128 << 53) + 1;
        assert_eq!(Int(big).compare(Float(9_007_199_254_740_992.0)), Greater);
        assert!(!Int(big).same(Float(9_007_199_254_740_992.0)));
        assert!(Int(1).same(Float(1.0)));
        assert_eq!(Int(-3).compare(Float(-2.5)), Less);
        assert_eq!(Int(-2).compare(Float(-2.5)), Greater);
        assert_eq!(Int(2).compare(Float(2.5)), Less);
        assert_eq!(Int(i128::MAX).compare(Float(1e300)), Less);
        assert_eq!(Int(i128::MIN).compare(Float(-1e300)), Greater);
        assert_eq!(Float(0.5).compare(Int(0)), Greater);
    }

    #[test]
    fn multiples_are_decided_as_written() {
        let yes = |x: Num, m: Num| assert!(x.is_multiple_of(m), "{x:?} {m:?}");
        let no = |x: Num, m: Num| assert!(!x.is_multiple_of(m), "{x:?} {m:?}");
        yes(Float(1e308), Float(0.5));
        yes(Float(19.99), Float(0.01));
        yes(Float(0.0075), Float(0.0001));
        yes(Float(5.35), Float(2.675));
        no(Float(1_070_468.145), Float(0.01));
        no(Float(1.5e-9), Float(1e-9));
        yes(Float(3e-9), Float(1e-9));
        no(Float(1.0000000001), Float(1e-9));
        yes(Float(1.000000001), Float(1e-9));
        yes(Int(0), Float(0.3));
        yes(Int((1i128 << 53) + 2), Int(2));
        no(Int((1i128 << 53) + 1), Int(2));
        no(Int((1i128 << 53) + 1), Float(2.0));
        yes(Int(u64::MAX.into()), Int(5));
        yes(Float(-4.5), Float(1.5));
        no(Float(1e-300), Float(0.01));
    }
}
