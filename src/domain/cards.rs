//! Card number rules: normalising what people type, recognising the brand while they type,
//! the Luhn check, and validating a whole card form.
//!
//! Nothing here stores or logs a card number. [`CardInput`] and [`ValidCard`] implement
//! `Debug` by hand so that a stray `{:?}` in a log line shows the brand and the last four
//! digits, never the full number or the security code; error messages never repeat the number.

use super::payment_method::{CardBrand, card_last_valid_day};
use serde::{Deserialize, Serialize};
use std::fmt;
use time::Date;

/// Longest name we accept on a card or bank account. Card networks emboss at most 26
/// characters, so this is generous; it exists to keep absurd input out of storage and receipts.
pub const HOLDER_NAME_MAX_CHARS: usize = 100;

/// Cards are issued for at most a few years; a year further out than this is a typo.
pub const MAX_EXPIRY_YEARS_AHEAD: i32 = 20;

/// One problem with one form field, phrased for the person filling the form in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The form field's name: `"number"`, `"exp_month"`, `"exp_year"`, `"cvc"`, `"holder_name"`
    /// for cards; `"routing_number"`, `"account_number"`, `"holder_name"`, `"account_type"` for
    /// bank accounts.
    pub field: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        FieldError { field, message: message.into() }
    }
}

/// Every field name a [`FieldError`] may carry, so that one received over the wire can be
/// mapped back to a `&'static str`.
const KNOWN_FIELDS: &[&str] = &[
    "number",
    "exp_month",
    "exp_year",
    "cvc",
    "holder_name",
    "routing_number",
    "account_number",
    "account_type",
    // Billing details (domain::address, api::billing_details).
    "company_name",
    "country",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "tax_id",
    "contact_name",
    "contact_email",
];

/// Written by hand because a derived `Deserialize` for a `&'static str` field only accepts
/// `'static` input, which rules out reading a server response. Reading an owned name and
/// matching it against [`KNOWN_FIELDS`] keeps the field a `&'static str` and makes
/// `FieldError` deserializable from any buffer.
impl<'de> Deserialize<'de> for FieldError {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Wire {
            field: String,
            message: String,
        }
        let wire = Wire::deserialize(deserializer)?;
        let field = KNOWN_FIELDS
            .iter()
            .copied()
            .find(|known| *known == wire.field)
            .ok_or_else(|| serde::de::Error::unknown_variant(&wire.field, KNOWN_FIELDS))?;
        Ok(FieldError { field, message: wire.message })
    }
}

/// Removes the spaces and dashes people type to group a card number (`4242 4242-4242 4242`).
///
/// Any other character is kept, so that a letter or a dot makes the number fail validation
/// instead of being silently dropped. All Unicode whitespace counts as a space, because
/// numbers pasted from a PDF or a password manager often carry non-breaking spaces.
pub fn digits_only(input: &str) -> String {
    input.chars().filter(|c| *c != '-' && !c.is_whitespace()).collect()
}

fn is_all_ascii_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// The Luhn (mod 10) check digit test. False for an empty string or any non-digit.
pub fn luhn_valid(digits: &str) -> bool {
    if !is_all_ascii_digits(digits) {
        return false;
    }
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(position_from_right, byte)| {
            let digit = u32::from(byte - b'0');
            if position_from_right % 2 == 1 {
                let doubled = digit * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                digit
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Issuer identification number ranges: `(brand, low, high)`, both bounds inclusive and with
/// the same number of digits, which is how many leading digits of a card number they compare.
///
/// The co-branded range 622126–622925 is claimed by both Discover and UnionPay. We call the
/// whole 62 range **UnionPay**: those cards are issued by UnionPay members and carry the
/// UnionPay logo (Discover only accepts them on its network in the US), Stripe reports them
/// as `unionpay`, and it lets the brand show after two digits instead of six.
///
/// Ranges of one brand must not touch each other (write 38–39, not 38 and 39): a prefix is
/// only recognised when a single range holds all its continuations. A test checks this.
const IIN_RANGES: &[(CardBrand, u32, u32)] = &[
    (CardBrand::Visa, 4, 4),
    (CardBrand::Mastercard, 51, 55),
    (CardBrand::Mastercard, 2221, 2720),
    (CardBrand::Amex, 34, 34),
    (CardBrand::Amex, 37, 37),
    (CardBrand::Discover, 6011, 6011),
    (CardBrand::Discover, 644, 649),
    (CardBrand::Discover, 65, 65),
    (CardBrand::Jcb, 3528, 3589),
    (CardBrand::DinersClub, 300, 305),
    (CardBrand::DinersClub, 36, 36),
    (CardBrand::DinersClub, 38, 39),
    (CardBrand::UnionPay, 62, 62),
];

fn decimal_digit_count(mut n: u32) -> u32 {
    let mut count = 1;
    while n >= 10 {
        n /= 10;
        count += 1;
    }
    count
}

/// Whether every card number starting with `prefix` (all digits, non-empty) falls in
/// `low..=high`, where the bounds are compared with the first `width` digits of the number.
fn prefix_certainly_in_range(prefix: &str, low: u32, high: u32) -> bool {
    let width = decimal_digit_count(low) as usize;
    if prefix.len() >= width {
        // Enough digits typed: compare them directly. `width` is at most 4, so this fits.
        let leading: u32 = prefix[..width].parse().unwrap_or(u32::MAX);
        (low..=high).contains(&leading)
    } else {
        // Too few digits: every continuation lies in [typed·10^k, typed·10^k + 10^k − 1],
        // with k the digits still missing. The brand is certain only if all of them match.
        let missing = (width - prefix.len()) as u32;
        let scale = 10u32.pow(missing);
        let typed: u32 = prefix.parse().unwrap_or(u32::MAX);
        let first = typed.saturating_mul(scale);
        let last = first.saturating_add(scale - 1);
        low <= first && last <= high
    }
}

/// The brand of a card number as typed so far, so the form can show the logo early.
///
/// Spaces and dashes are ignored. A brand is returned only once it is certain, that is when
/// every way of finishing the number gives that brand: `"4"` is Visa, but `"5"` stays
/// [`CardBrand::Unknown`] until the second digit (50 and 56–59 are not Mastercard), and `"22"`
/// stays Unknown because 2200–2220 are not Mastercard while 2221–2299 are; `"223"` is
/// Mastercard. Empty input, any other character, or a number outside every range gives
/// Unknown. On a complete number this is the brand the number belongs to.
pub fn detect_brand(partial: &str) -> CardBrand {
    let digits = digits_only(partial);
    if !is_all_ascii_digits(&digits) {
        return CardBrand::Unknown;
    }
    IIN_RANGES
        .iter()
        .find(|(_, low, high)| prefix_certainly_in_range(&digits, *low, *high))
        .map_or(CardBrand::Unknown, |(brand, _, _)| *brand)
}

/// The card number lengths each brand issues. Unknown brands get the ISO/IEC 7812 span.
pub fn valid_lengths(brand: CardBrand) -> &'static [usize] {
    match brand {
        CardBrand::Visa => &[13, 16, 19],
        CardBrand::Mastercard => &[16],
        CardBrand::Amex => &[15],
        CardBrand::Discover | CardBrand::Jcb | CardBrand::UnionPay => &[16, 17, 18, 19],
        CardBrand::DinersClub => &[14, 15, 16, 17, 18, 19],
        CardBrand::Unknown => &[12, 13, 14, 15, 16, 17, 18, 19],
    }
}

/// Digits in the security code: American Express prints 4 on the front, the others 3 on the back.
pub fn cvc_length(brand: CardBrand) -> usize {
    match brand {
        CardBrand::Amex => 4,
        _ => 3,
    }
}

/// Groups a (possibly half-typed) number the way it is printed on the card: American Express
/// as 4-6-5 (`3782 822463 10005`), every other brand in groups of four. Spaces and dashes
/// already in the input are dropped first, so formatting is idempotent and can run on every
/// keystroke. Digits beyond the brand's pattern go into one last group.
pub fn format_for_display(digits: &str, brand: CardBrand) -> String {
    let chars: Vec<char> = digits_only(digits).chars().collect();
    let mut groups: Vec<String> = Vec::new();
    let mut rest = chars.as_slice();
    if brand == CardBrand::Amex {
        for size in [4, 6] {
            if rest.len() <= size {
                break;
            }
            let (group, tail) = rest.split_at(size);
            groups.push(group.iter().collect());
            rest = tail;
        }
        if !rest.is_empty() {
            groups.push(rest.iter().collect());
        }
    } else {
        groups.extend(rest.chunks(4).map(|group| group.iter().collect::<String>()));
    }
    groups.join(" ")
}

/// The last four characters (or all of them when there are fewer), for "Visa ending in 4242".
pub fn last_four(digits: &str) -> &str {
    let start = digits.char_indices().rev().nth(3).map_or(0, |(index, _)| index);
    &digits[start..]
}

/// A card form as submitted: every field exactly as typed.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardInput {
    pub number: String,
    pub exp_month: String,
    pub exp_year: String,
    pub cvc: String,
    pub holder_name: String,
}

impl fmt::Debug for CardInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Only what a receipt would show: the typed number and security code never reach a log.
        let digits = digits_only(&self.number);
        f.debug_struct("CardInput")
            .field("brand", &detect_brand(&digits))
            .field("last_four", &last_four(&digits))
            .finish_non_exhaustive()
    }
}

/// A card that passed [`validate_card`]: number normalised to digits, year to four digits.
#[derive(Clone, PartialEq, Eq)]
pub struct ValidCard {
    pub digits: String,
    pub brand: CardBrand,
    pub exp_month: u8,
    pub exp_year: i32,
    pub cvc: String,
    pub holder_name: String,
}

impl fmt::Debug for ValidCard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ValidCard")
            .field("brand", &self.brand)
            .field("last_four", &last_four(&self.digits))
            .finish_non_exhaustive()
    }
}

/// Checks a whole card form and reports every field that is wrong, at most one message per
/// field (the most basic problem first: missing, then malformed, then out of range).
///
/// `today` is the caller's date; a card is usable through the last day of its expiry month.
/// A number whose brand is not recognised is accepted (as [`CardBrand::Unknown`]) when its
/// length is plausible and it passes the Luhn check: the processor has the final word.
pub fn validate_card(input: &CardInput, today: Date) -> Result<ValidCard, Vec<FieldError>> {
    let digits = digits_only(&input.number);
    // Detected even on a bad number: the security code rule depends on it.
    let brand = detect_brand(&digits);

    let number_error = card_number_problem(&digits, brand);
    let month = parse_exp_month(&input.exp_month);
    let year = parse_exp_year(&input.exp_year);
    let (mut month_error, mut year_error) = (month.as_ref().err().cloned(), year.as_ref().err().cloned());

    if let Ok(year) = year {
        if year < today.year() {
            // The whole year is over, so the year is what is wrong, whatever the month says.
            let when = match month {
                Ok(month) => format!("{month:02}/{year}"),
                Err(_) => year.to_string(),
            };
            year_error = Some(format!("This card expired in {when}."));
        } else if year > today.year() + MAX_EXPIRY_YEARS_AHEAD {
            year_error = Some(format!(
                "{year} is more than {MAX_EXPIRY_YEARS_AHEAD} years away. Check the expiry year on the card."
            ));
        } else if let Ok(month) = month {
            let expired = card_last_valid_day(month, year).is_none_or(|last_day| last_day < today);
            if expired {
                // This year, an earlier month: the month is what is wrong.
                month_error = Some(format!("This card expired in {month:02}/{year}."));
            }
        }
    }

    let cvc = input.cvc.trim();
    let cvc_error = cvc_problem(cvc, brand);
    let holder_name = input.holder_name.trim();
    let holder_error = holder_name_problem(holder_name, "Enter the name on the card.", "The name on the card");

    let errors: Vec<FieldError> = [
        ("number", number_error),
        ("exp_month", month_error),
        ("exp_year", year_error),
        ("cvc", cvc_error),
        ("holder_name", holder_error),
    ]
    .into_iter()
    .filter_map(|(field, message)| message.map(|message| FieldError::new(field, message)))
    .collect();

    match (month, year) {
        (Ok(exp_month), Ok(exp_year)) if errors.is_empty() => Ok(ValidCard {
            digits,
            brand,
            exp_month,
            exp_year,
            cvc: cvc.to_string(),
            holder_name: holder_name.to_string(),
        }),
        _ => Err(errors),
    }
}

fn card_number_problem(digits: &str, brand: CardBrand) -> Option<String> {
    if digits.is_empty() {
        return Some("Enter the card number.".into());
    }
    if !is_all_ascii_digits(digits) {
        return Some("A card number can contain only digits, spaces and dashes.".into());
    }
    let lengths = valid_lengths(brand);
    if !lengths.contains(&digits.len()) {
        let whose = match brand {
            CardBrand::Unknown => "Card numbers".to_string(),
            known => format!("{} card numbers", known.label()),
        };
        return Some(format!("{whose} have {} digits; this one has {}.", describe_lengths(lengths), digits.len()));
    }
    if !luhn_valid(digits) {
        return Some("This card number is not valid. Check it for typos.".into());
    }
    None
}

/// `[15]` → "15", `[13, 16, 19]` → "13, 16 or 19", `[16, 17, 18, 19]` → "16 to 19".
fn describe_lengths(lengths: &[usize]) -> String {
    match lengths {
        [] => String::new(),
        [only] => only.to_string(),
        [first, .., last] if lengths.windows(2).all(|pair| pair[1] == pair[0] + 1) => {
            format!("{first} to {last}")
        }
        [init @ .., last] => {
            let init: Vec<String> = init.iter().map(usize::to_string).collect();
            format!("{} or {last}", init.join(", "))
        }
    }
}

fn parse_exp_month(typed: &str) -> Result<u8, String> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Err("Enter the expiry month.".into());
    }
    match typed.parse::<u8>() {
        Ok(month @ 1..=12) if typed.len() <= 2 => Ok(month),
        _ => Err("Enter the expiry month as a number from 1 to 12.".into()),
    }
}

const YEAR_FORMAT_MESSAGE: &str = "Enter the expiry year as 2 or 4 digits, for example 28 or 2028.";

/// Accepts `28` or `2028`. Two digits always mean 20xx: cards are issued for a few years at
/// most, so there is no century to guess.
fn parse_exp_year(typed: &str) -> Result<i32, String> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Err("Enter the expiry year.".into());
    }
    if !is_all_ascii_digits(typed) || !(typed.len() == 2 || typed.len() == 4) {
        return Err(YEAR_FORMAT_MESSAGE.into());
    }
    let value: i32 = typed.parse().map_err(|_| YEAR_FORMAT_MESSAGE.to_string())?;
    Ok(if typed.len() == 2 { 2000 + value } else { value })
}

fn cvc_problem(cvc: &str, brand: CardBrand) -> Option<String> {
    if cvc.is_empty() {
        return Some("Enter the security code (CVC).".into());
    }
    let expected = cvc_length(brand);
    if is_all_ascii_digits(cvc) && cvc.len() == expected {
        return None;
    }
    Some(match brand {
        CardBrand::Amex => "The security code on an American Express card is the 4 digits printed on the front.".into(),
        _ => format!("The security code is the {expected} digits printed on the back of the card."),
    })
}

/// Shared with bank accounts: required, and at most [`HOLDER_NAME_MAX_CHARS`] characters.
/// `trimmed` must already be trimmed.
pub(crate) fn holder_name_problem(trimmed: &str, missing_message: &str, subject: &str) -> Option<String> {
    if trimmed.is_empty() {
        Some(missing_message.to_string())
    } else if trimmed.chars().count() > HOLDER_NAME_MAX_CHARS {
        Some(format!("{subject} can be at most {HOLDER_NAME_MAX_CHARS} characters long."))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 05 - 15);

    /// Public Stripe test numbers and the brand each one is.
    const STRIPE_TEST_CARDS: &[(&str, CardBrand)] = &[
        ("4242424242424242", CardBrand::Visa),
        ("4000056655665556", CardBrand::Visa), // debit
        ("5555555555554444", CardBrand::Mastercard),
        ("2223003122003222", CardBrand::Mastercard), // 2-series
        ("5200828282828210", CardBrand::Mastercard), // debit
        ("378282246310005", CardBrand::Amex),
        ("371449635398431", CardBrand::Amex),
        ("6011111111111117", CardBrand::Discover),
        ("6011000990139424", CardBrand::Discover),
        ("3056930009020004", CardBrand::DinersClub),
        ("36227206271667", CardBrand::DinersClub), // 14 digits
        ("3566002020360505", CardBrand::Jcb),
        ("6200000000000005", CardBrand::UnionPay),
        ("4000000000000002", CardBrand::Visa), // declined
        ("4000000000009995", CardBrand::Visa), // insufficient funds
        ("4000000000000069", CardBrand::Visa), // expired card
        ("4000000000000127", CardBrand::Visa), // incorrect CVC
        ("4000000000000119", CardBrand::Visa), // processing error
        ("4000000000000341", CardBrand::Visa), // attaching succeeds, charging fails
    ];

    fn input(number: &str, month: &str, year: &str, cvc: &str, name: &str) -> CardInput {
        CardInput {
            number: number.into(),
            exp_month: month.into(),
            exp_year: year.into(),
            cvc: cvc.into(),
            holder_name: name.into(),
        }
    }

    fn good_input(number: &str) -> CardInput {
        let cvc = "1234"[..cvc_length(detect_brand(number))].to_string();
        input(number, "12", "2030", &cvc, "Ada Lovelace")
    }

    fn errors_of(input: &CardInput) -> Vec<FieldError> {
        validate_card(input, TODAY).expect_err("expected the card to be refused")
    }

    fn error_for(errors: &[FieldError], field: &str) -> Option<String> {
        errors.iter().find(|e| e.field == field).map(|e| e.message.clone())
    }

    #[test]
    fn digits_only_strips_spaces_and_dashes_but_keeps_anything_else() {
        assert_eq!(digits_only("4242 4242-4242 4242"), "4242424242424242");
        assert_eq!(digits_only("  4242\u{a0}4242\t"), "42424242");
        assert_eq!(digits_only("4242.4242"), "4242.4242");
        assert_eq!(digits_only("42a2"), "42a2");
        assert_eq!(digits_only(""), "");
        assert_eq!(digits_only(" - "), "");
    }

    #[test]
    fn luhn_accepts_every_stripe_test_number() {
        for (number, _) in STRIPE_TEST_CARDS {
            assert!(luhn_valid(number), "{number} should pass Luhn");
        }
    }

    #[test]
    fn luhn_refuses_typos_empty_and_non_digits() {
        assert!(!luhn_valid("4242424242424241"));
        assert!(!luhn_valid("4242424242424243"));
        // Two adjacent digits swapped (a common typo) in 4242…: 2442…
        assert!(!luhn_valid("2442424242424242"));
        assert!(!luhn_valid(""));
        assert!(!luhn_valid("4242 4242 4242 4242"));
        assert!(!luhn_valid("424242424242424x"));
        assert!(!luhn_valid("-4242424242424242"));
        assert!(!luhn_valid("４２４２")); // full-width digits are not ASCII digits
        assert!(luhn_valid("0"));
        assert!(luhn_valid("18"));
        assert!(!luhn_valid("19"));
    }

    #[test]
    fn detects_the_brand_of_every_stripe_test_number() {
        for (number, brand) in STRIPE_TEST_CARDS {
            assert_eq!(detect_brand(number), *brand, "{number}");
            assert!(valid_lengths(*brand).contains(&number.len()), "{number} length");
        }
    }

    #[test]
    fn detects_the_brand_from_a_few_typed_digits() {
        let cases: &[(&str, CardBrand)] = &[
            ("", CardBrand::Unknown),
            ("4", CardBrand::Visa),
            ("4 2", CardBrand::Visa),
            // Mastercard 51–55: one digit is not enough.
            ("5", CardBrand::Unknown),
            ("50", CardBrand::Unknown),
            ("51", CardBrand::Mastercard),
            ("55", CardBrand::Mastercard),
            ("56", CardBrand::Unknown),
            // Mastercard 2221–2720: undecided until every continuation is inside.
            ("2", CardBrand::Unknown),
            ("22", CardBrand::Unknown),
            ("222", CardBrand::Unknown),
            ("2220", CardBrand::Unknown),
            ("2221", CardBrand::Mastercard),
            ("223", CardBrand::Mastercard),
            ("23", CardBrand::Mastercard),
            ("26", CardBrand::Mastercard),
            ("27", CardBrand::Unknown),
            ("271", CardBrand::Mastercard),
            ("272", CardBrand::Unknown),
            ("2720", CardBrand::Mastercard),
            ("2721", CardBrand::Unknown),
            ("28", CardBrand::Unknown),
            // 3 could be Amex, JCB or Diners Club.
            ("3", CardBrand::Unknown),
            ("34", CardBrand::Amex),
            ("37", CardBrand::Amex),
            ("35", CardBrand::Unknown),
            ("352", CardBrand::Unknown),
            ("3527", CardBrand::Unknown),
            ("3528", CardBrand::Jcb),
            ("353", CardBrand::Jcb),
            ("358", CardBrand::Jcb),
            ("3589", CardBrand::Jcb),
            ("359", CardBrand::Unknown),
            ("30", CardBrand::Unknown),
            ("300", CardBrand::DinersClub),
            ("305", CardBrand::DinersClub),
            ("306", CardBrand::Unknown),
            ("36", CardBrand::DinersClub),
            ("38", CardBrand::DinersClub),
            ("39", CardBrand::DinersClub),
            // 6: Discover or UnionPay.
            ("6", CardBrand::Unknown),
            ("60", CardBrand::Unknown),
            ("601", CardBrand::Unknown),
            ("6011", CardBrand::Discover),
            ("6012", CardBrand::Unknown),
            ("64", CardBrand::Unknown),
            ("643", CardBrand::Unknown),
            ("644", CardBrand::Discover),
            ("649", CardBrand::Discover),
            ("65", CardBrand::Discover),
            ("62", CardBrand::UnionPay),
            // The Discover/UnionPay co-branded range is UnionPay here (see IIN_RANGES).
            ("622126", CardBrand::UnionPay),
            ("622925", CardBrand::UnionPay),
            ("1", CardBrand::Unknown),
            ("7", CardBrand::Unknown),
            ("9", CardBrand::Unknown),
            ("4x", CardBrand::Unknown),
            ("x4", CardBrand::Unknown),
        ];
        for (typed, brand) in cases {
            assert_eq!(detect_brand(typed), *brand, "detect_brand({typed:?})");
        }
    }

    #[test]
    fn iin_ranges_are_well_formed() {
        for (brand, low, high) in IIN_RANGES {
            assert!(low <= high, "{brand:?} {low}..{high}");
            assert_eq!(decimal_digit_count(*low), decimal_digit_count(*high), "{brand:?} {low}..{high}");
            assert!(decimal_digit_count(*low) <= 6);
        }
    }

    /// Exhaustive over every prefix of up to five digits (longer than any range bound), so the
    /// brand decision holds for all input, not only the examples above:
    /// - once a brand is shown, typing more digits never changes it;
    /// - a prefix shows a brand as soon as all ten next digits would agree on it.
    #[test]
    fn brand_detection_is_stable_and_as_early_as_possible() {
        let mut prefixes: Vec<String> = (0..10).map(|d| d.to_string()).collect();
        for _length in 1..5 {
            let mut longer = Vec::with_capacity(prefixes.len() * 10);
            for prefix in &prefixes {
                let brand = detect_brand(prefix);
                let next: Vec<CardBrand> = (0..10).map(|d| detect_brand(&format!("{prefix}{d}"))).collect();
                if brand != CardBrand::Unknown {
                    assert!(next.iter().all(|b| *b == brand), "{prefix} changed brand");
                } else if next[0] != CardBrand::Unknown {
                    assert!(next.iter().any(|b| *b != next[0]), "{prefix} should already be {:?}", next[0]);
                }
                longer.extend((0..10).map(|d| format!("{prefix}{d}")));
            }
            prefixes = longer;
        }
    }

    #[test]
    fn knows_each_brand_s_lengths_and_security_code() {
        assert_eq!(valid_lengths(CardBrand::Visa), &[13, 16, 19]);
        assert_eq!(valid_lengths(CardBrand::Mastercard), &[16]);
        assert_eq!(valid_lengths(CardBrand::Amex), &[15]);
        assert_eq!(valid_lengths(CardBrand::Discover), &[16, 17, 18, 19]);
        assert_eq!(valid_lengths(CardBrand::Jcb), &[16, 17, 18, 19]);
        assert_eq!(valid_lengths(CardBrand::DinersClub), &[14, 15, 16, 17, 18, 19]);
        assert_eq!(valid_lengths(CardBrand::UnionPay), &[16, 17, 18, 19]);
        assert_eq!(valid_lengths(CardBrand::Unknown), &[12, 13, 14, 15, 16, 17, 18, 19]);
        assert_eq!(cvc_length(CardBrand::Amex), 4);
        for brand in CardBrand::ALL.iter().filter(|b| **b != CardBrand::Amex) {
            assert_eq!(cvc_length(*brand), 3, "{brand:?}");
        }
    }

    #[test]
    fn formats_numbers_the_way_they_are_printed() {
        assert_eq!(format_for_display("4242424242424242", CardBrand::Visa), "4242 4242 4242 4242");
        assert_eq!(format_for_display("378282246310005", CardBrand::Amex), "3782 822463 10005");
        assert_eq!(format_for_display("36227206271667", CardBrand::DinersClub), "3622 7206 2716 67");
        assert_eq!(format_for_display("4000000000000000006", CardBrand::Visa), "4000 0000 0000 0000 006");
        // Half-typed.
        assert_eq!(format_for_display("", CardBrand::Unknown), "");
        assert_eq!(format_for_display("4", CardBrand::Visa), "4");
        assert_eq!(format_for_display("4242", CardBrand::Visa), "4242");
        assert_eq!(format_for_display("42424", CardBrand::Visa), "4242 4");
        assert_eq!(format_for_display("3782", CardBrand::Amex), "3782");
        assert_eq!(format_for_display("37828", CardBrand::Amex), "3782 8");
        assert_eq!(format_for_display("3782822463", CardBrand::Amex), "3782 822463");
        assert_eq!(format_for_display("37828224631", CardBrand::Amex), "3782 822463 1");
        // Digits past the pattern stay visible rather than being cut off.
        assert_eq!(format_for_display("3782822463100059", CardBrand::Amex), "3782 822463 100059");
        // Reformatting formatted input changes nothing.
        assert_eq!(format_for_display("4242 4242-4242", CardBrand::Visa), "4242 4242 4242");
        assert_eq!(format_for_display("3782 822463 10005", CardBrand::Amex), "3782 822463 10005");
    }

    #[test]
    fn last_four_takes_the_tail_or_everything_when_short() {
        assert_eq!(last_four("4242424242424242"), "4242");
        assert_eq!(last_four("378282246310005"), "0005");
        assert_eq!(last_four("123"), "123");
        assert_eq!(last_four(""), "");
        assert_eq!(last_four("12é45"), "2é45");
    }

    #[test]
    fn accepts_every_stripe_test_card() {
        for (number, brand) in STRIPE_TEST_CARDS {
            let card = validate_card(&good_input(number), TODAY).unwrap_or_else(|e| panic!("{number}: {e:?}"));
            assert_eq!(card.digits, *number);
            assert_eq!(card.brand, *brand);
        }
    }

    #[test]
    fn normalises_what_was_typed() {
        let card =
            validate_card(&input(" 4242 4242-4242 4242 ", " 4 ", " 28 ", " 123 ", "  Ada Lovelace "), TODAY).unwrap();
        assert_eq!(
            card,
            ValidCard {
                digits: "4242424242424242".into(),
                brand: CardBrand::Visa,
                exp_month: 4,
                exp_year: 2028,
                cvc: "123".into(),
                holder_name: "Ada Lovelace".into(),
            }
        );
        assert_eq!(validate_card(&input("4242424242424242", "04", "2028", "123", "A"), TODAY).unwrap().exp_month, 4);
    }

    #[test]
    fn number_is_required() {
        let errors = errors_of(&input("  ", "12", "2030", "123", "Ada"));
        assert_eq!(errors, vec![FieldError::new("number", "Enter the card number.")]);
    }

    #[test]
    fn number_takes_only_digits_spaces_and_dashes() {
        for typed in ["4242.4242.4242.4242", "4242424242424242x", "４２４２４２４２４２４２４２４２"] {
            let errors = errors_of(&input(typed, "12", "2030", "123", "Ada"));
            assert_eq!(
                error_for(&errors, "number").as_deref(),
                Some("A card number can contain only digits, spaces and dashes."),
                "{typed}"
            );
        }
    }

    #[test]
    fn number_length_must_fit_the_brand() {
        let cases = [
            ("424242424242424", "Visa card numbers have 13, 16 or 19 digits; this one has 15."),
            ("555555555555444", "Mastercard card numbers have 16 digits; this one has 15."),
            ("3782822463100050", "American Express card numbers have 15 digits; this one has 16."),
            ("601111111111111", "Discover card numbers have 16 to 19 digits; this one has 15."),
            ("3622720627166", "Diners Club card numbers have 14 to 19 digits; this one has 13."),
            ("90000000000", "Card numbers have 12 to 19 digits; this one has 11."),
            ("90000000000000000000", "Card numbers have 12 to 19 digits; this one has 20."),
        ];
        for (number, message) in cases {
            let errors = errors_of(&good_input(number));
            assert_eq!(errors, vec![FieldError::new("number", message)], "{number}");
        }
    }

    #[test]
    fn number_must_pass_the_luhn_check() {
        let errors = errors_of(&good_input("4242424242424241"));
        assert_eq!(errors, vec![FieldError::new("number", "This card number is not valid. Check it for typos.")]);
    }

    #[test]
    fn an_unrecognised_brand_is_accepted_when_the_number_checks_out() {
        // 9 is no brand's range; 9000 0000 0000 0001 passes Luhn.
        assert!(luhn_valid("9000000000000001"));
        let card = validate_card(&good_input("9000000000000001"), TODAY).unwrap();
        assert_eq!(card.brand, CardBrand::Unknown);
        // 13 digits: fine for Unknown (12–19), even though 13 is not a Mastercard length.
        assert!(luhn_valid("9000000000001"));
        assert_eq!(validate_card(&good_input("9000000000001"), TODAY).unwrap().brand, CardBrand::Unknown);
    }

    #[test]
    fn month_must_be_1_to_12() {
        for month in ["0", "13", "00", "-1", "1.5", "jan", "012"] {
            let errors = errors_of(&input("4242424242424242", month, "2030", "123", "Ada"));
            assert_eq!(
                errors,
                vec![FieldError::new("exp_month", "Enter the expiry month as a number from 1 to 12.")],
                "{month:?}"
            );
        }
        let errors = errors_of(&input("4242424242424242", "", "2030", "123", "Ada"));
        assert_eq!(errors, vec![FieldError::new("exp_month", "Enter the expiry month.")]);
    }

    #[test]
    fn year_takes_two_or_four_digits() {
        let accept = |year: &str| validate_card(&input("4242424242424242", "12", year, "123", "Ada"), TODAY);
        assert_eq!(accept("28").unwrap().exp_year, 2028);
        assert_eq!(accept("2028").unwrap().exp_year, 2028);
        assert_eq!(accept("26").unwrap().exp_year, 2026);
        for year in ["2", "202", "20280", "y2k", "２８"] {
            assert_eq!(
                accept(year).unwrap_err(),
                vec![FieldError::new("exp_year", "Enter the expiry year as 2 or 4 digits, for example 28 or 2028.")],
                "{year:?}"
            );
        }
        assert_eq!(accept(" ").unwrap_err(), vec![FieldError::new("exp_year", "Enter the expiry year.")]);
    }

    #[test]
    fn card_is_valid_through_the_last_day_of_its_expiry_month() {
        let check = |month: &str, year: &str, today: Date| {
            validate_card(&input("4242424242424242", month, year, "123", "Ada"), today)
        };
        assert!(check("4", "2026", date!(2026 - 04 - 30)).is_ok());
        assert!(check("2", "2028", date!(2028 - 02 - 29)).is_ok());
        assert_eq!(
            check("4", "2026", date!(2026 - 05 - 01)).unwrap_err(),
            vec![FieldError::new("exp_month", "This card expired in 04/2026.")]
        );
        assert_eq!(
            check("2", "27", date!(2027 - 03 - 01)).unwrap_err(),
            vec![FieldError::new("exp_month", "This card expired in 02/2027.")]
        );
    }

    #[test]
    fn an_expiry_in_an_earlier_year_is_blamed_on_the_year() {
        let errors = errors_of(&input("4242424242424242", "12", "2025", "123", "Ada"));
        assert_eq!(errors, vec![FieldError::new("exp_year", "This card expired in 12/2025.")]);
        // The month is wrong as well: both are reported, and the year message needs no month.
        let errors = errors_of(&input("4242424242424242", "13", "25", "123", "Ada"));
        assert_eq!(
            errors,
            vec![
                FieldError::new("exp_month", "Enter the expiry month as a number from 1 to 12."),
                FieldError::new("exp_year", "This card expired in 2025."),
            ]
        );
    }

    #[test]
    fn year_more_than_twenty_years_ahead_is_refused() {
        assert!(validate_card(&input("4242424242424242", "12", "2046", "123", "Ada"), TODAY).is_ok());
        let errors = errors_of(&input("4242424242424242", "1", "2047", "123", "Ada"));
        assert_eq!(
            errors,
            vec![FieldError::new("exp_year", "2047 is more than 20 years away. Check the expiry year on the card.")]
        );
        // Two-digit years are 20xx, so 99 is 2099, not 1999.
        let errors = errors_of(&input("4242424242424242", "1", "99", "123", "Ada"));
        assert_eq!(
            error_for(&errors, "exp_year").as_deref(),
            Some("2099 is more than 20 years away. Check the expiry year on the card.")
        );
    }

    #[test]
    fn security_code_has_the_brand_s_length() {
        let back = "The security code is the 3 digits printed on the back of the card.";
        let front = "The security code on an American Express card is the 4 digits printed on the front.";
        let cases = [
            ("4242424242424242", "12", back),
            ("4242424242424242", "1234", back),
            ("4242424242424242", "12a", back),
            ("378282246310005", "123", front),
            ("378282246310005", "12345", front),
        ];
        for (number, cvc, message) in cases {
            let errors = errors_of(&input(number, "12", "2030", cvc, "Ada"));
            assert_eq!(errors, vec![FieldError::new("cvc", message)], "{number} {cvc}");
        }
        assert!(validate_card(&input("378282246310005", "12", "2030", "1234", "Ada"), TODAY).is_ok());
        let errors = errors_of(&input("4242424242424242", "12", "2030", "", "Ada"));
        assert_eq!(errors, vec![FieldError::new("cvc", "Enter the security code (CVC).")]);
    }

    #[test]
    fn holder_name_is_required_and_at_most_100_characters() {
        let errors = errors_of(&input("4242424242424242", "12", "2030", "123", "   "));
        assert_eq!(errors, vec![FieldError::new("holder_name", "Enter the name on the card.")]);
        // Characters, not bytes: 100 accented letters are 200 bytes and still fine.
        assert!(validate_card(&input("4242424242424242", "12", "2030", "123", &"é".repeat(100)), TODAY).is_ok());
        let errors = errors_of(&input("4242424242424242", "12", "2030", "123", &"a".repeat(101)));
        assert_eq!(
            errors,
            vec![FieldError::new("holder_name", "The name on the card can be at most 100 characters long.")]
        );
    }

    #[test]
    fn reports_every_wrong_field_at_once_in_form_order() {
        let errors = errors_of(&input("4242424242424241", "0", "2", "1", ""));
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["number", "exp_month", "exp_year", "cvc", "holder_name"]);
        assert_eq!(errors_of(&CardInput::default()).len(), 5);
    }

    #[test]
    fn never_reveals_the_number_or_security_code() {
        let card = validate_card(&good_input("4242424242424242"), TODAY).unwrap();
        let shown = format!("{card:?} {:#?}", card);
        assert!(!shown.contains("4242424242424242"), "{shown}");
        assert!(!shown.contains("424242424242"), "{shown}");
        assert!(!shown.contains("123"), "{shown}");
        assert!(shown.contains("Visa") && shown.contains("\"4242\""), "{shown}");

        let typed = input("3782 822463 10005", "12", "2030", "9876", "Ada");
        let shown = format!("{typed:?}");
        assert!(!shown.contains("822463") && !shown.contains("9876"), "{shown}");
        assert!(shown.contains("Amex") && shown.contains("0005"), "{shown}");

        // Messages never repeat the number, whatever is wrong with it.
        for number in ["4242424242424241", "424242424242424", "4242424242424242x"] {
            for error in errors_of(&input(number, "", "", "", "")) {
                assert!(!error.message.contains("42424242"), "{}", error.message);
            }
        }
    }

    #[test]
    fn field_errors_round_trip_through_json_from_an_owned_buffer() {
        fn assert_deserialize_owned<T: serde::de::DeserializeOwned>() {}
        assert_deserialize_owned::<FieldError>();

        let error = FieldError::new("exp_year", "This card expired in 2025.");
        let json: String = serde_json::to_string(&error).unwrap();
        assert_eq!(json, r#"{"field":"exp_year","message":"This card expired in 2025."}"#);
        let back: FieldError = serde_json::from_str(&json).unwrap();
        assert_eq!(back, error);
        for field in KNOWN_FIELDS {
            let json = format!(r#"{{"field":"{field}","message":"m"}}"#);
            assert_eq!(serde_json::from_str::<FieldError>(&json).unwrap().field, *field);
        }
        assert!(serde_json::from_str::<FieldError>(r#"{"field":"password","message":"m"}"#).is_err());
    }

    #[test]
    fn describes_length_lists_in_words() {
        assert_eq!(describe_lengths(&[15]), "15");
        assert_eq!(describe_lengths(&[13, 16, 19]), "13, 16 or 19");
        assert_eq!(describe_lengths(&[16, 19]), "16 or 19");
        assert_eq!(describe_lengths(&[16, 17, 18, 19]), "16 to 19");
    }
}
