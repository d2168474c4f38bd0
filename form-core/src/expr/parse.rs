//! Text → expression tree. A hand-written lexer and precedence-climbing parser; errors carry
//! the byte span of the offending token.

use crate::text::Text;

/// A byte range in the expression text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// The first problem found in an expression.
#[derive(Clone, Debug, PartialEq)]
pub struct ExprError {
    pub span: Span,
    pub message: Text,
}

/// Binary and unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Or,
    And,
    Not,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Neg,
}

impl Op {
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Or => "or",
            Op::And => "and",
            Op::Not => "not",
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Add => "+",
            Op::Sub | Op::Neg => "-",
            Op::Mul => "*",
            Op::Div => "/",
            Op::Rem => "%",
        }
    }
}

/// The built-in functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
    Today,
    Age,
    Date,
    Days,
    Months,
    Years,
    Len,
    Count,
    Sum,
    Min,
    Max,
    Round,
    Matches,
    Contains,
    Filled,
    Empty,
    /// `any(table, condition)`: whether some row meets the condition.
    Any,
    /// `all(table, condition)`: whether every row meets it (true for no rows).
    All,
}

impl Func {
    pub const ALL: [(&'static str, Func); 18] = [
        ("today", Func::Today),
        ("age", Func::Age),
        ("date", Func::Date),
        ("days", Func::Days),
        ("months", Func::Months),
        ("years", Func::Years),
        ("len", Func::Len),
        ("count", Func::Count),
        ("sum", Func::Sum),
        ("min", Func::Min),
        ("max", Func::Max),
        ("round", Func::Round),
        ("matches", Func::Matches),
        ("contains", Func::Contains),
        ("filled", Func::Filled),
        ("empty", Func::Empty),
        ("any", Func::Any),
        ("all", Func::All),
    ];

    fn by_name(name: &str) -> Option<Func> {
        Func::ALL.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
    }

    pub fn name(self) -> &'static str {
        Func::ALL
            .iter()
            .find(|(_, f)| *f == self)
            .map_or("?", |(n, _)| n)
    }
}

/// An expression node.
#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    Number(f64),
    Text(String),
    Bool(bool),
    Null,
    /// A field reference: `applicant.dateOfBirth`, `members.income`, `row.sex`. Its type is
    /// filled in by [`crate::expr::check`].
    Ref(Vec<String>, crate::expr::Type),
    Unary(Op, Box<Expr>),
    Binary(Op, Box<Expr>, Box<Expr>),
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// A call; `matches` keeps its compiled pattern here once checked.
    Call(Func, Vec<Expr>, Option<regex_lite::Regex>),
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(f64),
    Str(String),
    Ident(String),
    Sym(&'static str),
    End,
}

const KEYWORDS: [&str; 9] = [
    "and", "or", "not", "if", "then", "else", "true", "false", "null",
];

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    fn err(&self, start: usize, end: usize, vi: String, en: String) -> ExprError {
        ExprError {
            span: Span { start, end },
            message: Text::new(vi, en),
        }
    }

    fn next(&mut self) -> Result<(Tok, Span), ExprError> {
        let bytes = self.src.as_bytes();
        while self.pos < bytes.len() && bytes[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
        let start = self.pos;
        let Some(&c) = bytes.get(start) else {
            return Ok((Tok::End, Span { start, end: start }));
        };
        let tok = match c {
            b'0'..=b'9' => {
                while self.pos < bytes.len()
                    && (bytes[self.pos].is_ascii_digit() || bytes[self.pos] == b'.')
                {
                    self.pos += 1;
                }
                let text = &self.src[start..self.pos];
                match crate::format::parse_decimal(text) {
                    Some(n) => Tok::Num(n),
                    _ => {
                        return Err(self.err(
                            start,
                            self.pos,
                            format!("Số không hợp lệ: {text}"),
                            format!("Invalid number: {text}"),
                        ));
                    }
                }
            }
            b'"' | b'\'' => {
                self.pos += 1;
                let mut s = String::new();
                loop {
                    let Some(ch) = self.src[self.pos..].chars().next() else {
                        return Err(self.err(
                            start,
                            self.pos,
                            "Chuỗi chưa được đóng.".into(),
                            "The text is not closed with a quote.".into(),
                        ));
                    };
                    self.pos += ch.len_utf8();
                    if ch as u32 == u32::from(c) {
                        break;
                    }
                    if ch == '\\' {
                        match self.src[self.pos..].chars().next() {
                            Some(e @ ('\\' | '"' | '\'')) => {
                                s.push(e);
                                self.pos += 1;
                            }
                            _ => {
                                return Err(self.err(
                                    self.pos - 1,
                                    self.pos,
                                    "Chỉ dùng \\\\, \\\" hoặc \\' sau dấu \\.".into(),
                                    "Only \\\\, \\\" or \\' may follow a backslash.".into(),
                                ));
                            }
                        }
                    } else {
                        s.push(ch);
                    }
                }
                Tok::Str(s)
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                while self.pos < bytes.len()
                    && (bytes[self.pos].is_ascii_alphanumeric() || bytes[self.pos] == b'_')
                {
                    self.pos += 1;
                }
                Tok::Ident(self.src[start..self.pos].to_owned())
            }
            _ => {
                let rest = &self.src[start..];
                let sym = [
                    "<=", ">=", "!=", "==", "=", "<", ">", "+", "-", "*", "/", "%", "(", ")", ",",
                    ".",
                ]
                .into_iter()
                .find(|s| rest.starts_with(s));
                match sym {
                    Some(s) => {
                        self.pos += s.len();
                        Tok::Sym(if s == "==" { "=" } else { s })
                    }
                    None => {
                        let ch = rest.chars().next().unwrap_or(' ');
                        return Err(self.err(
                            start,
                            start + ch.len_utf8(),
                            format!("Ký tự không được dùng: '{ch}'"),
                            format!("Unexpected character: '{ch}'"),
                        ));
                    }
                }
            }
        };
        Ok((
            tok,
            Span {
                start,
                end: self.pos,
            },
        ))
    }
}

struct Parser<'a> {
    lexer: Lexer<'a>,
    tok: Tok,
    span: Span,
    depth: usize,
    /// Tokens read: a flat chain (`a + b + c …`) makes a tree as deep as it is long, which the
    /// recursive checker and evaluator walk, so the length is bounded too.
    tokens: usize,
}

/// Most tokens in one expression.
const MAX_TOKENS: usize = 1000;

/// Parses an expression.
pub fn parse(src: &str) -> Result<Expr, ExprError> {
    if src.len() > super::MAX_LEN {
        return Err(ExprError {
            span: Span {
                start: super::MAX_LEN,
                end: src.len(),
            },
            message: Text::new(
                format!("Biểu thức dài quá {} ký tự.", super::MAX_LEN),
                format!(
                    "The expression is longer than {} characters.",
                    super::MAX_LEN
                ),
            ),
        });
    }
    let mut lexer = Lexer { src, pos: 0 };
    let (tok, span) = lexer.next()?;
    let mut p = Parser {
        lexer,
        tok,
        span,
        depth: 0,
        tokens: 1,
    };
    if p.tok == Tok::End {
        return Err(p.error("Biểu thức trống.", "The expression is empty."));
    }
    let e = p.expr(0)?;
    if p.tok != Tok::End {
        return Err(p.error(
            &format!("Thừa \"{}\" sau biểu thức.", p.token_text()),
            &format!("Unexpected \"{}\" after the expression.", p.token_text()),
        ));
    }
    Ok(e)
}

fn binary_op(tok: &Tok) -> Option<(Op, u8)> {
    Some(match tok {
        Tok::Ident(s) if s == "or" => (Op::Or, 1),
        Tok::Ident(s) if s == "and" => (Op::And, 2),
        Tok::Sym("=") => (Op::Eq, 4),
        Tok::Sym("!=") => (Op::Ne, 4),
        Tok::Sym("<") => (Op::Lt, 4),
        Tok::Sym("<=") => (Op::Le, 4),
        Tok::Sym(">") => (Op::Gt, 4),
        Tok::Sym(">=") => (Op::Ge, 4),
        Tok::Sym("+") => (Op::Add, 5),
        Tok::Sym("-") => (Op::Sub, 5),
        Tok::Sym("*") => (Op::Mul, 6),
        Tok::Sym("/") => (Op::Div, 6),
        Tok::Sym("%") => (Op::Rem, 6),
        _ => return None,
    })
}

impl Parser<'_> {
    fn bump(&mut self) -> Result<(), ExprError> {
        self.tokens += 1;
        if self.tokens > MAX_TOKENS {
            return Err(self.error(
                &format!("Biểu thức có quá {MAX_TOKENS} thành phần; hãy chia nhỏ hoặc dùng sum()."),
                &format!("The expression has more than {MAX_TOKENS} parts; split it or use sum()."),
            ));
        }
        let (tok, span) = self.lexer.next()?;
        self.tok = tok;
        self.span = span;
        Ok(())
    }

    fn token_text(&self) -> String {
        if self.tok == Tok::End {
            "(end)".to_owned()
        } else {
            self.lexer.src[self.span.start..self.span.end].to_owned()
        }
    }

    fn error(&self, vi: &str, en: &str) -> ExprError {
        ExprError {
            span: self.span,
            message: Text::new(vi, en),
        }
    }

    fn expect_sym(&mut self, sym: &'static str) -> Result<(), ExprError> {
        if self.tok == Tok::Sym(sym) {
            self.bump()
        } else {
            Err(self.error(
                &format!("Cần \"{sym}\" thay vì \"{}\".", self.token_text()),
                &format!("Expected \"{sym}\", found \"{}\".", self.token_text()),
            ))
        }
    }

    fn expect_word(&mut self, word: &str) -> Result<(), ExprError> {
        if matches!(&self.tok, Tok::Ident(s) if s == word) {
            self.bump()
        } else {
            Err(self.error(
                &format!("Cần \"{word}\" thay vì \"{}\".", self.token_text()),
                &format!("Expected \"{word}\", found \"{}\".", self.token_text()),
            ))
        }
    }

    fn enter(&mut self) -> Result<(), ExprError> {
        self.depth += 1;
        if self.depth > super::MAX_DEPTH {
            return Err(self.error(
                "Biểu thức lồng nhau quá sâu.",
                "The expression is nested too deeply.",
            ));
        }
        Ok(())
    }

    /// Precedence climbing: `min` is the lowest binding power accepted.
    fn expr(&mut self, min: u8) -> Result<Expr, ExprError> {
        self.enter()?;
        let mut left = self.prefix()?;
        while let Some((op, power)) = binary_op(&self.tok) {
            if power < min {
                break;
            }
            self.bump()?;
            // Comparisons do not chain: `a < b < c` is an error, not a surprise.
            let right = self.expr(if power == 4 { 5 } else { power + 1 })?;
            if power == 4 && binary_op(&self.tok).is_some_and(|(_, p)| p == 4) {
                return Err(self.error(
                    "Không so sánh liên tiếp; dùng \"and\".",
                    "Comparisons do not chain; use \"and\".",
                ));
            }
            let span = Span {
                start: left.span.start,
                end: right.span.end,
            };
            left = Expr {
                kind: ExprKind::Binary(op, Box::new(left), Box::new(right)),
                span,
            };
        }
        self.depth -= 1;
        Ok(left)
    }

    fn prefix(&mut self) -> Result<Expr, ExprError> {
        let start = self.span.start;
        match self.tok.clone() {
            Tok::Ident(w) if w == "not" => {
                self.bump()?;
                let e = self.expr(3)?;
                Ok(Expr {
                    span: Span {
                        start,
                        end: e.span.end,
                    },
                    kind: ExprKind::Unary(Op::Not, Box::new(e)),
                })
            }
            Tok::Sym("-") => {
                self.bump()?;
                self.enter()?;
                let e = self.prefix()?;
                self.depth -= 1;
                Ok(Expr {
                    span: Span {
                        start,
                        end: e.span.end,
                    },
                    kind: ExprKind::Unary(Op::Neg, Box::new(e)),
                })
            }
            Tok::Ident(w) if w == "if" => {
                self.bump()?;
                let c = self.expr(0)?;
                self.expect_word("then")?;
                let a = self.expr(0)?;
                self.expect_word("else")?;
                let b = self.expr(0)?;
                Ok(Expr {
                    span: Span {
                        start,
                        end: b.span.end,
                    },
                    kind: ExprKind::If(Box::new(c), Box::new(a), Box::new(b)),
                })
            }
            _ => self.primary(),
        }
    }

    fn primary(&mut self) -> Result<Expr, ExprError> {
        let span = self.span;
        let kind = match self.tok.clone() {
            Tok::Num(n) => ExprKind::Number(n),
            Tok::Str(s) => ExprKind::Text(s),
            Tok::Sym("(") => {
                self.bump()?;
                let e = self.expr(0)?;
                let end = self.span.end;
                self.expect_sym(")")?;
                return Ok(Expr {
                    kind: e.kind,
                    span: Span {
                        start: span.start,
                        end,
                    },
                });
            }
            Tok::Ident(w) if w == "true" => ExprKind::Bool(true),
            Tok::Ident(w) if w == "false" => ExprKind::Bool(false),
            Tok::Ident(w) if w == "null" => ExprKind::Null,
            Tok::Ident(w) if KEYWORDS.contains(&w.as_str()) => {
                return Err(self.error(
                    &format!("Thiếu giá trị trước \"{w}\"."),
                    &format!("A value is missing before \"{w}\"."),
                ));
            }
            Tok::Ident(name) => {
                self.bump()?;
                if self.tok == Tok::Sym("(") {
                    return self.call(name, span);
                }
                let mut path = vec![name];
                let mut end = span.end;
                while self.tok == Tok::Sym(".") {
                    self.bump()?;
                    match self.tok.clone() {
                        Tok::Ident(part) => {
                            path.push(part);
                            end = self.span.end;
                            self.bump()?;
                        }
                        _ => {
                            return Err(self.error(
                                "Cần tên trường sau dấu chấm.",
                                "A field name must follow the dot.",
                            ));
                        }
                    }
                }
                return Ok(Expr {
                    kind: ExprKind::Ref(path, crate::expr::Type::Any),
                    span: Span {
                        start: span.start,
                        end,
                    },
                });
            }
            Tok::End => {
                return Err(self.error(
                    "Biểu thức kết thúc khi còn thiếu giá trị.",
                    "The expression ends where a value is expected.",
                ));
            }
            _ => {
                return Err(self.error(
                    &format!("Cần một giá trị thay vì \"{}\".", self.token_text()),
                    &format!("Expected a value, found \"{}\".", self.token_text()),
                ));
            }
        };
        self.bump()?;
        Ok(Expr { kind, span })
    }

    fn call(&mut self, name: String, span: Span) -> Result<Expr, ExprError> {
        let Some(func) = Func::by_name(&name) else {
            let names: Vec<&str> = Func::ALL.iter().map(|(n, _)| *n).collect();
            return Err(ExprError {
                span,
                message: Text::new(
                    format!("Không có hàm \"{name}\"; các hàm: {}.", names.join(", ")),
                    format!(
                        "There is no function \"{name}\"; the functions are: {}.",
                        names.join(", ")
                    ),
                ),
            });
        };
        self.bump()?; // (
        let mut args = Vec::new();
        if self.tok != Tok::Sym(")") {
            loop {
                args.push(self.expr(0)?);
                if self.tok == Tok::Sym(",") {
                    self.bump()?;
                } else {
                    break;
                }
            }
        }
        let end = self.span.end;
        self.expect_sym(")")?;
        Ok(Expr {
            kind: ExprKind::Call(func, args, None),
            span: Span {
                start: span.start,
                end,
            },
        })
    }
}
