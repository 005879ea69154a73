//! Tax identification numbers: checking one against the schemes of the account's country and
//! writing it the way invoices show it.
//!
//! Covered: VAT numbers of the 27 EU member states (country prefix plus each state's own
//! shape), UK VAT numbers, US Employer Identification Numbers, Canadian Business Numbers,
//! Brazilian CNPJ and CPF (with their check digits, including the alphanumeric CNPJ issued
//! from July 2026) and Australian Business Numbers (with the ABN checksum). Other countries
//! accept any plausible identifier. No regular expressions: each shape is a small matcher.
//!
//! What people type is normalised first: upper-cased, and spaces, dots, dashes, slashes and
//! colons removed; a leading scheme name ("EIN", "ABN", "VAT", …) is dropped, and an EU or UK
//! VAT number typed without its country prefix gets it added. An empty field means the
//! account has no tax ID, which is allowed.

use serde::{Deserialize, Serialize};

/// Longest identifier accepted for a country without a scheme of its own.
pub const OTHER_MAX_CHARS: usize = 40;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaxScheme {
    /// A VAT number of an EU member state.
    EuVat,
    /// A UK VAT number (GB, or XI for Northern Ireland).
    GbVat,
    /// US Employer Identification Number.
    UsEin,
    /// Canadian Business Number, optionally with a program account (RT0001).
    CaBn,
    /// Brazilian company registration (Cadastro Nacional da Pessoa Jurídica).
    BrCnpj,
    /// Brazilian individual taxpayer registration (Cadastro de Pessoas Físicas).
    BrCpf,
    /// Australian Business Number.
    AuAbn,
    /// Any other country's identifier, kept as typed.
    Other,
}

impl TaxScheme {
    pub fn label(self) -> &'static str {
        match self {
            TaxScheme::EuVat => "EU VAT number",
            TaxScheme::GbVat => "UK VAT number",
            TaxScheme::UsEin => "EIN",
            TaxScheme::CaBn => "BN",
            TaxScheme::BrCnpj => "CNPJ",
            TaxScheme::BrCpf => "CPF",
            TaxScheme::AuAbn => "ABN",
            TaxScheme::Other => "Tax ID",
        }
    }
}

/// A tax ID that passed [`validate_tax_id`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxId {
    pub scheme: TaxScheme,
    /// Letters and digits only, with the country prefix for VAT numbers: `DE123456789`,
    /// `917654321`, `11222333000181`, `51824753556`.
    pub normalized: String,
    /// How invoices and the form show it, which is also what is stored. VAT numbers carry
    /// their country prefix and stand alone (`DE123456789`); the others are preceded by their
    /// scheme's name and grouped the usual way (`EIN 91-7654321`, `ABN 51 824 753 556`,
    /// `CNPJ 11.222.333/0001-81`). Validating this text again gives the same [`TaxId`].
    pub display: String,
}

/// One EU member state's VAT number.
struct VatRule {
    country: &'static str,
    /// The prefix of its VAT numbers: the country code, except Greece's `EL`.
    prefix: &'static str,
    /// "A German VAT number".
    name: &'static str,
    /// "DE followed by 9 digits".
    shape: &'static str,
    example: &'static str,
    /// Whether the part after the prefix has the right shape.
    body: fn(&[u8]) -> bool,
}

fn digits(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(u8::is_ascii_digit)
}

fn n_digits(s: &[u8], n: usize) -> bool {
    s.len() == n && digits(s)
}

fn letter(c: u8) -> bool {
    c.is_ascii_uppercase()
}

fn alnum(c: u8) -> bool {
    c.is_ascii_uppercase() || c.is_ascii_digit()
}

const EU_VAT: &[VatRule] = &[
    VatRule { country: "AT", prefix: "AT", name: "An Austrian VAT number", shape: "ATU followed by 8 digits", example: "ATU12345678",
        body: |b| b.len() == 9 && b[0] == b'U' && digits(&b[1..]) },
    VatRule { country: "BE", prefix: "BE", name: "A Belgian VAT number", shape: "BE followed by 10 digits starting with 0 or 1", example: "BE0123456789",
        body: |b| n_digits(b, 10) && (b[0] == b'0' || b[0] == b'1') },
    VatRule { country: "BG", prefix: "BG", name: "A Bulgarian VAT number", shape: "BG followed by 9 or 10 digits", example: "BG123456789",
        body: |b| n_digits(b, 9) || n_digits(b, 10) },
    VatRule { country: "HR", prefix: "HR", name: "A Croatian VAT number", shape: "HR followed by 11 digits", example: "HR12345678901",
        body: |b| n_digits(b, 11) },
    VatRule { country: "CY", prefix: "CY", name: "A Cypriot VAT number", shape: "CY followed by 8 digits and a letter", example: "CY12345678L",
        body: |b| b.len() == 9 && digits(&b[..8]) && letter(b[8]) },
    VatRule { country: "CZ", prefix: "CZ", name: "A Czech VAT number", shape: "CZ followed by 8, 9 or 10 digits", example: "CZ12345678",
        body: |b| (8..=10).contains(&b.len()) && digits(b) },
    VatRule { country: "DK", prefix: "DK", name: "A Danish VAT number", shape: "DK followed by 8 digits", example: "DK12345678",
        body: |b| n_digits(b, 8) },
    VatRule { country: "EE", prefix: "EE", name: "An Estonian VAT number", shape: "EE followed by 9 digits", example: "EE123456789",
        body: |b| n_digits(b, 9) },
    VatRule { country: "FI", prefix: "FI", name: "A Finnish VAT number", shape: "FI followed by 8 digits", example: "FI12345678",
        body: |b| n_digits(b, 8) },
    VatRule { country: "FR", prefix: "FR", name: "A French VAT number", shape: "FR followed by 2 letters or digits and 9 digits", example: "FR12345678901",
        body: |b| b.len() == 11 && b[..2].iter().all(|c| alnum(*c) && *c != b'O' && *c != b'I') && digits(&b[2..]) },
    VatRule { country: "DE", prefix: "DE", name: "A German VAT number", shape: "DE followed by 9 digits", example: "DE123456789",
        body: |b| n_digits(b, 9) },
    VatRule { country: "GR", prefix: "EL", name: "A Greek VAT number", shape: "EL followed by 9 digits", example: "EL123456789",
        body: |b| n_digits(b, 9) },
    VatRule { country: "HU", prefix: "HU", name: "A Hungarian VAT number", shape: "HU followed by 8 digits", example: "HU12345678",
        body: |b| n_digits(b, 8) },
    VatRule { country: "IE", prefix: "IE", name: "An Irish VAT number", shape: "IE followed by 7 digits and 1 or 2 letters", example: "IE1234567T",
        body: |b| match b.len() {
            // Current numbers: 7 digits and a check letter, since 2013 often a second letter.
            8 => digits(&b[..7]) && letter(b[7]),
            9 => digits(&b[..7]) && letter(b[7]) && letter(b[8]),
            _ => false,
        } || (b.len() == 8 && b[0].is_ascii_digit() && (letter(b[1]) || b[1] == b'+' || b[1] == b'*') && digits(&b[2..7]) && letter(b[7])) },
    VatRule { country: "IT", prefix: "IT", name: "An Italian VAT number", shape: "IT followed by 11 digits", example: "IT12345678901",
        body: |b| n_digits(b, 11) },
    VatRule { country: "LV", prefix: "LV", name: "A Latvian VAT number", shape: "LV followed by 11 digits", example: "LV12345678901",
        body: |b| n_digits(b, 11) },
    VatRule { country: "LT", prefix: "LT", name: "A Lithuanian VAT number", shape: "LT followed by 9 or 12 digits", example: "LT123456789",
        body: |b| n_digits(b, 9) || n_digits(b, 12) },
    VatRule { country: "LU", prefix: "LU", name: "A Luxembourg VAT number", shape: "LU followed by 8 digits", example: "LU12345678",
        body: |b| n_digits(b, 8) },
    VatRule { country: "MT", prefix: "MT", name: "A Maltese VAT number", shape: "MT followed by 8 digits", example: "MT12345678",
        body: |b| n_digits(b, 8) },
    VatRule { country: "NL", prefix: "NL", name: "A Dutch VAT number", shape: "NL followed by 9 digits, B and 2 digits", example: "NL123456789B01",
        body: |b| b.len() == 12 && digits(&b[..9]) && b[9] == b'B' && digits(&b[10..]) },
    VatRule { country: "PL", prefix: "PL", name: "A Polish VAT number", shape: "PL followed by 10 digits", example: "PL1234567890",
        body: |b| n_digits(b, 10) },
    VatRule { country: "PT", prefix: "PT", name: "A Portuguese VAT number", shape: "PT followed by 9 digits", example: "PT123456789",
        body: |b| n_digits(b, 9) },
    VatRule { country: "RO", prefix: "RO", name: "A Romanian VAT number", shape: "RO followed by 2 to 10 digits", example: "RO12345678",
        body: |b| (2..=10).contains(&b.len()) && digits(b) },
    VatRule { country: "SK", prefix: "SK", name: "A Slovak VAT number", shape: "SK followed by 10 digits", example: "SK1234567890",
        body: |b| n_digits(b, 10) },
    VatRule { country: "SI", prefix: "SI", name: "A Slovenian VAT number", shape: "SI followed by 8 digits", example: "SI12345678",
        body: |b| n_digits(b, 8) },
    VatRule { country: "ES", prefix: "ES", name: "A Spanish VAT number", shape: "ES followed by a letter or digit, 7 digits and a letter or digit", example: "ESB12345678",
        // At least one end is a letter: all nine digits is not a Spanish NIF.
        body: |b| b.len() == 9 && alnum(b[0]) && digits(&b[1..8]) && alnum(b[8]) && (letter(b[0]) || letter(b[8])) },
    VatRule { country: "SE", prefix: "SE", name: "A Swedish VAT number", shape: "SE followed by 12 digits ending in 01", example: "SE123456789701",
        body: |b| n_digits(b, 12) && &b[10..] == b"01" },
];

/// The EU member states, by their ISO country codes (Greece is `GR` here, `EL` in VAT numbers).
pub fn eu_member_states() -> impl Iterator<Item = &'static str> {
    EU_VAT.iter().map(|r| r.country)
}

fn eu_rule(country: &str) -> Option<&'static VatRule> {
    EU_VAT.iter().find(|r| r.country == country)
}

/// Upper-cases and drops the separators people type inside numbers.
fn compact(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '.' | '-' | '/' | ':' | '_' | '‐' | '–'))
        .flat_map(char::to_uppercase)
        .collect()
}

/// Drops one leading scheme name ("EIN", "VAT", …) from a compacted input.
fn strip_label<'a>(s: &'a str, labels: &[&str]) -> &'a str {
    labels.iter().find_map(|l| s.strip_prefix(l).filter(|rest| !rest.is_empty())).unwrap_or(s)
}

/// What the Tax ID field expects for this country, for the hint under the field; `None`
/// when the country has no scheme of its own (anything plausible is accepted).
pub fn expected_format(country: &str) -> Option<String> {
    let country = country.trim().to_ascii_uppercase();
    if let Some(rule) = eu_rule(&country) {
        let name = rule.name.split_once(' ').map_or(rule.name, |(_, rest)| rest);
        return Some(format!("{}: {}, like {}.", capitalize(name), rule.shape, rule.example));
    }
    let text = match country.as_str() {
        "GB" => "UK VAT number: GB followed by 9 or 12 digits, like GB123456789.",
        "US" => "Employer Identification Number (EIN): 9 digits, like 12-3456789.",
        "CA" => "Business Number (BN): 9 digits, optionally followed by a program account, like 123456789 RT0001.",
        "BR" => "CNPJ (14 characters, like 11.222.333/0001-81) or CPF (11 digits, like 111.444.777-35).",
        "AU" => "Australian Business Number (ABN): 11 digits, like 51 824 753 556.",
        _ => return None,
    };
    Some(text.to_string())
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}

/// Checks `typed` against the tax ID schemes of `country` (ISO 3166-1 alpha-2). Empty input
/// is `Ok(None)`: no tax ID. An error is one sentence naming the expected format.
pub fn validate_tax_id(country: &str, typed: &str) -> Result<Option<TaxId>, String> {
    if typed.trim().is_empty() {
        return Ok(None);
    }
    let country = country.trim().to_ascii_uppercase();
    let compacted = compact(typed);
    if let Some(rule) = eu_rule(&country) {
        return eu_vat(rule, strip_label(&compacted, &["VAT", "TVA", "BTW", "IVA", "MWST", "UST"])).map(Some);
    }
    match country.as_str() {
        "GB" => gb_vat(strip_label(&compacted, &["VAT"])).map(Some),
        "US" => us_ein(strip_label(&compacted, &["EIN"])).map(Some),
        "CA" => ca_bn(strip_label(&compacted, &["BN"])).map(Some),
        "BR" => br(strip_label(&compacted, &["CNPJ", "CPF"])).map(Some),
        "AU" => au_abn(strip_label(&compacted, &["ABN"])).map(Some),
        _ => other(typed).map(Some),
    }
}

fn eu_vat(rule: &VatRule, s: &str) -> Result<TaxId, String> {
    let wrong = || format!("{} is {}, like {}.", rule.name, rule.shape, rule.example);
    // Greek numbers are sometimes written with the ISO code instead of EL.
    let prefixes: &[&str] = if rule.prefix == "EL" { &["EL", "GR"] } else { &[rule.prefix] };
    let with_prefix = prefixes.iter().find_map(|p| s.strip_prefix(p)).filter(|body| (rule.body)(body.as_bytes()));
    let body = match with_prefix {
        Some(body) => body,
        // Typed without the prefix: add it.
        None if (rule.body)(s.as_bytes()) => s,
        None => return Err(wrong()),
    };
    let normalized = format!("{}{body}", rule.prefix);
    Ok(TaxId { scheme: TaxScheme::EuVat, display: normalized.clone(), normalized })
}

fn gb_vat(s: &str) -> Result<TaxId, String> {
    let wrong = || "A UK VAT number is GB followed by 9 or 12 digits, like GB123456789.".to_string();
    let body_ok = |b: &[u8]| {
        n_digits(b, 9) || n_digits(b, 12)
            // Government departments and health authorities.
            || (b.len() == 5 && (b.starts_with(b"GD") || b.starts_with(b"HA")) && digits(&b[2..]))
    };
    let (prefix, body) = match ["GB", "XI"].iter().find_map(|p| s.strip_prefix(p).map(|b| (*p, b))) {
        Some((p, body)) if body_ok(body.as_bytes()) => (p, body),
        _ if body_ok(s.as_bytes()) && digits(s.as_bytes()) => ("GB", s),
        _ => return Err(wrong()),
    };
    let normalized = format!("{prefix}{body}");
    Ok(TaxId { scheme: TaxScheme::GbVat, display: normalized.clone(), normalized })
}

fn us_ein(s: &str) -> Result<TaxId, String> {
    if !n_digits(s.as_bytes(), 9) || s.starts_with("00") {
        return Err("A US Employer Identification Number (EIN) is 9 digits, like 12-3456789.".into());
    }
    Ok(TaxId { scheme: TaxScheme::UsEin, display: format!("EIN {}-{}", &s[..2], &s[2..]), normalized: s.to_string() })
}

fn ca_bn(s: &str) -> Result<TaxId, String> {
    let b = s.as_bytes();
    let ok = n_digits(b, 9) || (b.len() == 15 && digits(&b[..9]) && letter(b[9]) && letter(b[10]) && digits(&b[11..]));
    if !ok {
        return Err(
            "A Canadian Business Number (BN) is 9 digits, optionally followed by a program account such as RT0001, like 123456789 RT0001."
                .into(),
        );
    }
    let display = if s.len() == 9 { format!("BN {s}") } else { format!("BN {} {}", &s[..9], &s[9..]) };
    Ok(TaxId { scheme: TaxScheme::CaBn, display, normalized: s.to_string() })
}

/// Value of a CNPJ character in its check digit sums: its ASCII code minus 48, so digits
/// count as themselves and letters (alphanumeric CNPJ) from A = 17.
fn cnpj_value(c: u8) -> u32 {
    u32::from(c) - 48
}

/// The mod-11 check digit both CNPJ and CPF use: 0 when the remainder is below 2.
fn mod11_digit(sum: u32) -> u32 {
    let r = sum % 11;
    if r < 2 { 0 } else { 11 - r }
}

/// Whether a 14-character CNPJ (12 letters or digits, then 2 check digits) is valid.
pub fn cnpj_valid(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 14 || !b[..12].iter().all(|c| alnum(*c)) || !digits(&b[12..]) || b.iter().all(|c| *c == b[0]) {
        return false;
    }
    let check = |len: usize| {
        // Weights 2..=9 from the right, repeating.
        let sum: u32 = b[..len].iter().rev().enumerate().map(|(i, c)| cnpj_value(*c) * (2 + (i as u32 % 8))).sum();
        mod11_digit(sum)
    };
    check(12) == u32::from(b[12] - b'0') && check(13) == u32::from(b[13] - b'0')
}

/// Whether an 11-digit CPF is valid.
pub fn cpf_valid(s: &str) -> bool {
    let b = s.as_bytes();
    if !n_digits(b, 11) || b.iter().all(|c| *c == b[0]) {
        return false;
    }
    let check = |len: usize| {
        let sum: u32 =
            b[..len].iter().enumerate().map(|(i, c)| u32::from(c - b'0') * (len as u32 + 1 - i as u32)).sum();
        mod11_digit(sum)
    };
    check(9) == u32::from(b[9] - b'0') && check(10) == u32::from(b[10] - b'0')
}

fn br(s: &str) -> Result<TaxId, String> {
    let b = s.as_bytes();
    if b.len() == 14 && b[..12].iter().all(|c| alnum(*c)) && digits(&b[12..]) {
        if !cnpj_valid(s) {
            return Err("This CNPJ's check digits don't match. Check it for typos.".into());
        }
        let display = format!("CNPJ {}.{}.{}/{}-{}", &s[..2], &s[2..5], &s[5..8], &s[8..12], &s[12..]);
        return Ok(TaxId { scheme: TaxScheme::BrCnpj, display, normalized: s.to_string() });
    }
    if n_digits(b, 11) {
        if !cpf_valid(s) {
            return Err("This CPF's check digits don't match. Check it for typos.".into());
        }
        let display = format!("CPF {}.{}.{}-{}", &s[..3], &s[3..6], &s[6..9], &s[9..]);
        return Ok(TaxId { scheme: TaxScheme::BrCpf, display, normalized: s.to_string() });
    }
    Err("A Brazilian tax ID is a CNPJ (14 characters, like 11.222.333/0001-81) or a CPF (11 digits, like 111.444.777-35).".into())
}

/// Whether an 11-digit ABN passes the ABN checksum: subtract 1 from the first digit, weight
/// the digits 10, 1, 3, 5, …, 19, and the sum is a multiple of 89.
pub fn abn_valid(s: &str) -> bool {
    const WEIGHTS: [u32; 11] = [10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19];
    let b = s.as_bytes();
    if !n_digits(b, 11) || b[0] == b'0' {
        return false;
    }
    let sum: u32 =
        b.iter().zip(WEIGHTS).enumerate().map(|(i, (c, w))| (u32::from(c - b'0') - u32::from(i == 0)) * w).sum();
    sum.is_multiple_of(89)
}

fn au_abn(s: &str) -> Result<TaxId, String> {
    if !n_digits(s.as_bytes(), 11) {
        return Err("An Australian Business Number (ABN) is 11 digits, like 51 824 753 556.".into());
    }
    if !abn_valid(s) {
        return Err("This ABN's check digits don't match. Check it for typos.".into());
    }
    let display = format!("ABN {} {} {} {}", &s[..2], &s[2..5], &s[5..8], &s[8..]);
    Ok(TaxId { scheme: TaxScheme::AuAbn, display, normalized: s.to_string() })
}

fn other(typed: &str) -> Result<TaxId, String> {
    let display = typed.split_whitespace().collect::<Vec<_>>().join(" ");
    let allowed = |c: char| c.is_alphanumeric() || matches!(c, ' ' | '-' | '.' | '/');
    let normalized: String = display.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_uppercase).collect();
    if display.chars().count() > OTHER_MAX_CHARS || !display.chars().all(allowed) || normalized.chars().count() < 2 {
        return Err(format!(
            "A tax ID is 2 to {OTHER_MAX_CHARS} letters and digits; spaces, dots, dashes and slashes may separate them."
        ));
    }
    Ok(TaxId { scheme: TaxScheme::Other, normalized, display })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(country: &str, typed: &str) -> TaxId {
        validate_tax_id(country, typed).unwrap_or_else(|e| panic!("{country} {typed}: {e}")).expect("a tax ID")
    }

    fn err(country: &str, typed: &str) -> String {
        validate_tax_id(country, typed).expect_err(&format!("{country} {typed} should be refused"))
    }

    #[test]
    fn empty_means_no_tax_id() {
        assert_eq!(validate_tax_id("DE", "   "), Ok(None));
        assert_eq!(validate_tax_id("US", ""), Ok(None));
    }

    #[test]
    fn every_member_state_has_a_rule_whose_example_passes() {
        assert_eq!(EU_VAT.len(), 27);
        let mut countries: Vec<&str> = eu_member_states().collect();
        countries.sort_unstable();
        countries.dedup();
        assert_eq!(countries.len(), 27);
        for rule in EU_VAT {
            let id = ok(rule.country, rule.example);
            assert_eq!(id.normalized, rule.example, "{}", rule.country);
            assert_eq!(id.scheme, TaxScheme::EuVat);
            assert!(rule.example.starts_with(rule.prefix));
            // The message names the format and the example.
            let message = err(rule.country, "1");
            assert!(message.contains(rule.example) && message.starts_with(rule.name), "{message}");
            assert!(expected_format(rule.country).unwrap().contains(rule.example));
        }
    }

    #[test]
    fn german_vat_numbers() {
        assert_eq!(ok("DE", "de 123 456 789").display, "DE123456789");
        assert_eq!(ok("de", "DE-123.456.789").normalized, "DE123456789");
        // Without the prefix, it is added.
        assert_eq!(ok("DE", "123456789").normalized, "DE123456789");
        assert_eq!(ok("DE", "VAT: DE123456789").normalized, "DE123456789");
        let message = "A German VAT number is DE followed by 9 digits, like DE123456789.";
        assert_eq!(err("DE", "DE12345678"), message);
        assert_eq!(err("DE", "DE1234567890"), message);
        assert_eq!(err("DE", "FR12345678901"), message);
        assert_eq!(err("DE", "DE12345678X"), message);
    }

    #[test]
    fn member_state_shapes() {
        assert_eq!(ok("FR", "FR 40 303 265 045").normalized, "FR40303265045");
        assert_eq!(ok("FR", "FRXX123456789").normalized, "FRXX123456789");
        assert!(validate_tax_id("FR", "FR1234567890").is_err());
        assert_eq!(ok("NL", "nl 123456789 b01").normalized, "NL123456789B01");
        assert!(validate_tax_id("NL", "NL123456789C01").is_err());
        assert!(validate_tax_id("NL", "NL123456789").is_err());
        assert_eq!(ok("ES", "ES B12345678").normalized, "ESB12345678");
        assert_eq!(ok("ES", "ES12345678Z").normalized, "ES12345678Z");
        assert!(validate_tax_id("ES", "ES123456789").is_err(), "nine digits is not a Spanish NIF");
        assert_eq!(ok("IT", "IT 12345678901").normalized, "IT12345678901");
        assert!(validate_tax_id("IT", "IT1234567890").is_err());
        assert_eq!(ok("AT", "U12345678").normalized, "ATU12345678");
        assert!(validate_tax_id("AT", "AT12345678").is_err());
        assert_eq!(err("AT", "AT12345678"), "An Austrian VAT number is ATU followed by 8 digits, like ATU12345678.");
        assert_eq!(ok("BE", "BE 0403.170.701").normalized, "BE0403170701");
        assert!(validate_tax_id("BE", "BE2403170701").is_err());
        assert_eq!(ok("GR", "EL094014201").normalized, "EL094014201");
        assert_eq!(ok("GR", "GR094014201").normalized, "EL094014201");
        assert_eq!(ok("IE", "IE6388047V").normalized, "IE6388047V");
        assert_eq!(ok("IE", "IE3628739UA").normalized, "IE3628739UA");
        assert_eq!(ok("IE", "IE8Z49289F").normalized, "IE8Z49289F");
        assert!(validate_tax_id("IE", "IE63880470").is_err());
        assert_eq!(ok("SE", "SE556703748501").normalized, "SE556703748501");
        assert!(validate_tax_id("SE", "SE556703748502").is_err());
        assert_eq!(ok("CY", "CY10259033P").normalized, "CY10259033P");
        assert_eq!(ok("RO", "RO18547290").normalized, "RO18547290");
        assert!(validate_tax_id("RO", "RO1").is_err());
        assert_eq!(ok("LT", "LT119511515").normalized, "LT119511515");
        assert_eq!(ok("CZ", "CZ 699 001 182").normalized, "CZ699001182");
    }

    #[test]
    fn uk_vat_numbers() {
        assert_eq!(ok("GB", "GB 123 4567 89").display, "GB123456789");
        assert_eq!(ok("GB", "123456789").normalized, "GB123456789");
        assert_eq!(ok("GB", "GB123456789012").normalized, "GB123456789012");
        assert_eq!(ok("GB", "XI123456789").normalized, "XI123456789");
        assert_eq!(ok("GB", "GBGD001").normalized, "GBGD001");
        assert_eq!(err("GB", "GB12345678"), "A UK VAT number is GB followed by 9 or 12 digits, like GB123456789.");
    }

    #[test]
    fn us_employer_identification_numbers() {
        let id = ok("US", "91-7654321");
        assert_eq!(
            (id.scheme, id.normalized.as_str(), id.display.as_str()),
            (TaxScheme::UsEin, "917654321", "EIN 91-7654321")
        );
        // What the demo data stores validates again to itself.
        assert_eq!(ok("US", "EIN 91-7654321"), id);
        assert_eq!(ok("US", "917654321"), id);
        assert_eq!(err("US", "12-345678"), "A US Employer Identification Number (EIN) is 9 digits, like 12-3456789.");
        assert!(validate_tax_id("US", "00-1234567").is_err());
        assert!(validate_tax_id("US", "DE123456789").is_err());
    }

    #[test]
    fn canadian_business_numbers() {
        assert_eq!(ok("CA", "123456789").display, "BN 123456789");
        let with_program = ok("CA", "123456789 rt 0001");
        assert_eq!(
            (with_program.normalized.as_str(), with_program.display.as_str()),
            ("123456789RT0001", "BN 123456789 RT0001")
        );
        assert_eq!(ok("CA", "BN 123456789 RT0001"), with_program);
        assert!(err("CA", "12345678").contains("9 digits"));
        assert!(validate_tax_id("CA", "123456789RT001").is_err());
    }

    #[test]
    fn brazilian_cnpj_and_cpf_check_digits() {
        // Banco do Brasil's CNPJ, the classic test CNPJ, and Receita Federal's example of the
        // alphanumeric CNPJ issued from July 2026.
        let bb = ok("BR", "00.000.000/0001-91");
        assert_eq!(
            (bb.scheme, bb.normalized.as_str(), bb.display.as_str()),
            (TaxScheme::BrCnpj, "00000000000191", "CNPJ 00.000.000/0001-91")
        );
        assert_eq!(ok("BR", "11222333000181").display, "CNPJ 11.222.333/0001-81");
        assert_eq!(ok("BR", "12.ABC.345/01DE-35").normalized, "12ABC34501DE35");
        assert_eq!(ok("BR", "CNPJ 11.222.333/0001-81"), ok("BR", "11.222.333/0001-81"));
        assert_eq!(err("BR", "11.222.333/0001-82"), "This CNPJ's check digits don't match. Check it for typos.");
        assert!(validate_tax_id("BR", "12.ABC.345/01DE-36").is_err());
        assert!(!cnpj_valid("00000000000000"), "repeated digits pass the sums but are not a CNPJ");

        let cpf = ok("BR", "111.444.777-35");
        assert_eq!((cpf.scheme, cpf.display.as_str()), (TaxScheme::BrCpf, "CPF 111.444.777-35"));
        assert_eq!(ok("BR", "52998224725").display, "CPF 529.982.247-25");
        assert_eq!(err("BR", "111.444.777-36"), "This CPF's check digits don't match. Check it for typos.");
        assert!(!cpf_valid("11111111111"));
        assert!(err("BR", "1234").contains("CNPJ (14 characters"));
    }

    #[test]
    fn australian_business_numbers() {
        // The Australian Taxation Office's own ABN.
        let ato = ok("AU", "51 824 753 556");
        assert_eq!(
            (ato.scheme, ato.normalized.as_str(), ato.display.as_str()),
            (TaxScheme::AuAbn, "51824753556", "ABN 51 824 753 556")
        );
        assert_eq!(ok("AU", "ABN 51 824 753 556"), ato);
        assert!(abn_valid("53004085616"));
        assert_eq!(err("AU", "51 824 753 557"), "This ABN's check digits don't match. Check it for typos.");
        assert_eq!(err("AU", "5182475355"), "An Australian Business Number (ABN) is 11 digits, like 51 824 753 556.");
    }

    #[test]
    fn other_countries_accept_a_plausible_identifier() {
        let ch = ok("CH", " CHE-123.456.789  MWST ");
        assert_eq!(
            (ch.scheme, ch.display.as_str(), ch.normalized.as_str()),
            (TaxScheme::Other, "CHE-123.456.789 MWST", "CHE123456789MWST")
        );
        assert_eq!(ok("JP", "T1234567890123").scheme, TaxScheme::Other);
        assert!(validate_tax_id("CH", "<script>").is_err());
        assert!(validate_tax_id("CH", "1").is_err());
        assert!(validate_tax_id("CH", &"1".repeat(OTHER_MAX_CHARS + 1)).is_err());
        assert_eq!(expected_format("CH"), None);
    }

    #[test]
    fn displays_validate_to_themselves() {
        for (country, typed) in [
            ("DE", "de123456789"),
            ("GB", "gb 123456789"),
            ("US", "917654321"),
            ("CA", "123456789rt0001"),
            ("BR", "11222333000181"),
            ("BR", "11144477735"),
            ("AU", "51824753556"),
            ("CH", "CHE-123.456.789 MWST"),
        ] {
            let id = ok(country, typed);
            assert_eq!(ok(country, &id.display), id, "{country} {typed}");
        }
    }

    #[test]
    fn hints_name_the_format() {
        assert_eq!(expected_format("de").unwrap(), "German VAT number: DE followed by 9 digits, like DE123456789.");
        assert_eq!(expected_format("AT").unwrap(), "Austrian VAT number: ATU followed by 8 digits, like ATU12345678.");
        assert!(expected_format("US").unwrap().contains("12-3456789"));
        assert!(expected_format("BR").unwrap().contains("CPF"));
    }
}
