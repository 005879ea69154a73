//! Billing addresses per country: which fields a country's addresses have, what each is
//! called there ("ZIP code", "Postcode", "Postal code"; "State", "Province", "County"), which
//! are required, how postal codes and regions are checked and normalised, and how the country
//! writes an address on an envelope or an invoice ([`format_lines`]).
//!
//! Rules are written out for the United States, Canada, the United Kingdom, Germany, France,
//! the Netherlands, Spain, Italy, Brazil, Australia and Japan; every other country gets a
//! sensible default (street and city required, region and postal code optional and loosely
//! checked). Pure: the form uses the same rules in the browser that the server enforces.

use super::cards::FieldError;

/// Longest street line, city or region we keep. Generous; it keeps absurd input out of
/// storage and off invoices.
pub const LINE_MAX_CHARS: usize = 200;
pub const CITY_MAX_CHARS: usize = 100;
pub const REGION_MAX_CHARS: usize = 100;

/// An address as typed into the form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressInput {
    pub country: String,
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
}

/// An address that passed [`validate_address`]: trimmed, country upper-cased, region as its
/// code when the country has a list, postal code in the country's canonical form. Fields the
/// country does not use are empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Address {
    pub country: String,
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
}

/// How a country's postal codes look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostalFormat {
    /// US ZIP code: 12345 or 12345-6789.
    UsZip,
    /// Canada: A1A 1A1.
    CaPostal,
    /// United Kingdom: SW1A 1AA, M1 1AE, B33 8TH, …
    GbPostcode,
    /// A fixed number of digits (Germany, France, Spain, Italy: 5; Australia: 4).
    Digits(usize),
    /// Netherlands: 1234 AB.
    NlPostcode,
    /// Brazil (CEP): 01310-100.
    BrCep,
    /// Japan: 123-4567.
    JpPostal,
    /// Any short code of letters, digits, spaces and dashes.
    Free,
}

impl PostalFormat {
    /// Canonical form of `typed`, or `None` when it does not have this format.
    pub fn normalize(self, typed: &str) -> Option<String> {
        let compact: String = typed.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_uppercase).collect();
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        match self {
            PostalFormat::UsZip => {
                let digits: String = compact.chars().filter(|c| *c != '-').collect();
                let dashes = compact.chars().filter(|c| *c == '-').count();
                let dash_ok = dashes == 0 || (dashes == 1 && compact.find('-') == Some(5));
                match digits.len() {
                    5 if dashes == 0 && all_digits(&digits) => Some(digits),
                    9 if dash_ok && all_digits(&digits) => Some(format!("{}-{}", &digits[..5], &digits[5..])),
                    _ => None,
                }
            }
            PostalFormat::CaPostal => {
                let code: Vec<char> = compact.chars().filter(|c| *c != '-').collect();
                // Canada Post never uses D, F, I, O, Q or U, and W and Z never come first.
                let letter = |c: char, first: bool| {
                    c.is_ascii_uppercase() && !"DFIOQU".contains(c) && !(first && "WZ".contains(c))
                };
                let ok = code.len() == 6
                    && letter(code[0], true)
                    && code[1].is_ascii_digit()
                    && letter(code[2], false)
                    && code[3].is_ascii_digit()
                    && letter(code[4], false)
                    && code[5].is_ascii_digit();
                ok.then(|| {
                    let s: String = code.iter().collect();
                    format!("{} {}", &s[..3], &s[3..])
                })
            }
            PostalFormat::GbPostcode => {
                if compact == "GIR0AA" {
                    return Some("GIR 0AA".into());
                }
                let chars: Vec<char> = compact.chars().collect();
                if !(5..=7).contains(&chars.len()) {
                    return None;
                }
                let (outward, inward) = chars.split_at(chars.len() - 3);
                // The inward code: a digit, then two letters that are never C, I, K, M, O or V.
                let inward_letter = |c: char| c.is_ascii_uppercase() && !"CIKMOV".contains(c);
                let inward_ok = inward[0].is_ascii_digit() && inward_letter(inward[1]) && inward_letter(inward[2]);
                let a = |c: &char| c.is_ascii_uppercase();
                let d = |c: &char| c.is_ascii_digit();
                // The outward code: A9, A99, A9A, AA9, AA99 or AA9A.
                let outward_ok = match outward {
                    [x, y] => a(x) && d(y),
                    [x, y, z] => a(x) && ((d(y) && (d(z) || a(z))) || (a(y) && d(z))),
                    [w, x, y, z] => a(w) && a(x) && d(y) && (d(z) || a(z)),
                    _ => false,
                };
                (inward_ok && outward_ok).then(|| {
                    let outward: String = outward.iter().collect();
                    let inward: String = inward.iter().collect();
                    format!("{outward} {inward}")
                })
            }
            PostalFormat::Digits(n) => (compact.len() == n && all_digits(&compact)).then_some(compact),
            PostalFormat::NlPostcode => {
                let chars: Vec<char> = compact.chars().collect();
                let ok = chars.len() == 6
                    && chars[0] != '0'
                    && chars[..4].iter().all(char::is_ascii_digit)
                    && chars[4..].iter().all(char::is_ascii_uppercase)
                    && !matches!(&compact[4..], "SA" | "SD" | "SS");
                ok.then(|| format!("{} {}", &compact[..4], &compact[4..]))
            }
            PostalFormat::BrCep => {
                let digits: String = compact.chars().filter(|c| *c != '-' && *c != '.').collect();
                (digits.len() == 8 && all_digits(&digits)).then(|| format!("{}-{}", &digits[..5], &digits[5..]))
            }
            PostalFormat::JpPostal => {
                let digits: String = compact.chars().filter(|c| *c != '-' && *c != '〒' && *c != '－').collect();
                (digits.len() == 7 && all_digits(&digits)).then(|| format!("{}-{}", &digits[..3], &digits[3..]))
            }
            PostalFormat::Free => {
                let trimmed = typed.split_whitespace().collect::<Vec<_>>().join(" ").to_uppercase();
                let ok = !trimmed.is_empty()
                    && trimmed.chars().count() <= 12
                    && trimmed.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-');
                ok.then_some(trimmed)
            }
        }
    }

    /// What a valid code looks like, for the hint under the field.
    pub fn example(self) -> &'static str {
        match self {
            PostalFormat::UsZip => "5 digits, or 5 + 4 digits, like 98101 or 98101-1234",
            PostalFormat::CaPostal => "letter, digit, letter, digit, letter, digit, like K1A 0B1",
            PostalFormat::GbPostcode => "like SW1A 1AA or M1 1AE",
            PostalFormat::Digits(4) => "4 digits, like 2000",
            PostalFormat::Digits(_) => "5 digits, like 10117",
            PostalFormat::NlPostcode => "4 digits and 2 letters, like 1012 AB",
            PostalFormat::BrCep => "8 digits, like 01310-100",
            PostalFormat::JpPostal => "7 digits, like 100-0005",
            PostalFormat::Free => "letters, digits, spaces and dashes, up to 12 characters",
        }
    }
}

/// The region field of a country (state, province, county, prefecture).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegionRule {
    pub label: &'static str,
    /// How a sentence names it: "state", "province", "county".
    pub noun: &'static str,
    pub required: bool,
    /// `(code, name)`; empty means free text.
    pub choices: &'static [(&'static str, &'static str)],
}

/// The postal code field of a country.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostalRule {
    pub label: &'static str,
    /// How a sentence names it: "ZIP code", "postcode", "postal code", "CEP".
    pub noun: &'static str,
    pub required: bool,
    pub format: PostalFormat,
}

/// Where the postal code goes on the city line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// "Seattle, WA 98101" (US); "Ottawa ON K1A 0B1" (CA); "Sydney NSW 2000" (AU).
    CityRegionPostal { comma: bool },
    /// "10117 Berlin" (most of continental Europe).
    PostalCity,
    /// Town, county and postcode on lines of their own (UK).
    Gb,
    /// "São Paulo - SP", then the CEP on its own line (Brazil).
    Br,
    /// "Chiyoda-ku, Tokyo 100-0005" (Japan, written in English).
    Jp,
}

/// Everything the form and the validator need to know about one country's addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountryRules {
    pub code: &'static str,
    pub line1_label: &'static str,
    pub line2_label: &'static str,
    pub city_label: &'static str,
    /// How a sentence names the city: "city", "town or city".
    pub city_noun: &'static str,
    pub region: Option<RegionRule>,
    pub postal: Option<PostalRule>,
    layout: Layout,
}

const LINE1: &str = "Street address";
const LINE2: &str = "Apartment, suite, floor (optional)";

/// The rules for `country` (ISO 3166-1 alpha-2, any case); the default for every country
/// without rules of its own.
pub fn rules(country: &str) -> CountryRules {
    let code = COUNTRIES.iter().map(|(c, _)| *c).find(|c| c.eq_ignore_ascii_case(country.trim())).unwrap_or("");
    let base = CountryRules {
        code,
        line1_label: LINE1,
        line2_label: LINE2,
        city_label: "City",
        city_noun: "city",
        region: None,
        postal: None,
        layout: Layout::PostalCity,
    };
    let postal = |label, noun, format| Some(PostalRule { label, noun, required: true, format });
    match code {
        "US" => CountryRules {
            region: Some(RegionRule { label: "State", noun: "state", required: true, choices: US_STATES }),
            postal: postal("ZIP code", "ZIP code", PostalFormat::UsZip),
            layout: Layout::CityRegionPostal { comma: true },
            ..base
        },
        "CA" => CountryRules {
            region: Some(RegionRule {
                label: "Province or territory",
                noun: "province or territory",
                required: true,
                choices: CA_PROVINCES,
            }),
            postal: postal("Postal code", "postal code", PostalFormat::CaPostal),
            layout: Layout::CityRegionPostal { comma: false },
            ..base
        },
        "GB" => CountryRules {
            city_label: "Town or city",
            city_noun: "town or city",
            region: Some(RegionRule { label: "County (optional)", noun: "county", required: false, choices: &[] }),
            postal: postal("Postcode", "postcode", PostalFormat::GbPostcode),
            layout: Layout::Gb,
            ..base
        },
        "DE" | "FR" | "ES" | "IT" => {
            CountryRules { postal: postal("Postal code", "postal code", PostalFormat::Digits(5)), ..base }
        }
        "NL" => CountryRules { postal: postal("Postcode", "postcode", PostalFormat::NlPostcode), ..base },
        "BR" => CountryRules {
            region: Some(RegionRule { label: "State", noun: "state", required: true, choices: BR_STATES }),
            postal: postal("CEP", "CEP", PostalFormat::BrCep),
            layout: Layout::Br,
            ..base
        },
        "AU" => CountryRules {
            city_label: "Suburb or town",
            city_noun: "suburb or town",
            region: Some(RegionRule {
                label: "State or territory",
                noun: "state or territory",
                required: true,
                choices: AU_STATES,
            }),
            postal: postal("Postcode", "postcode", PostalFormat::Digits(4)),
            layout: Layout::CityRegionPostal { comma: false },
            ..base
        },
        "JP" => CountryRules {
            city_label: "City, ward or town",
            city_noun: "city, ward or town",
            region: Some(RegionRule {
                label: "Prefecture",
                noun: "prefecture",
                required: true,
                choices: JP_PREFECTURES,
            }),
            postal: postal("Postal code", "postal code", PostalFormat::JpPostal),
            layout: Layout::Jp,
            ..base
        },
        _ => CountryRules {
            region: Some(RegionRule {
                label: "State, province or region (optional)",
                noun: "region",
                required: false,
                choices: &[],
            }),
            postal: Some(PostalRule {
                label: "Postal code (optional)",
                noun: "postal code",
                required: false,
                format: PostalFormat::Free,
            }),
            layout: if POSTAL_BEFORE_CITY.contains(&code) {
                Layout::PostalCity
            } else {
                Layout::CityRegionPostal { comma: true }
            },
            ..base
        },
    }
}

/// Countries (beyond those with rules of their own) that write "1010 Wien" rather than
/// "Wien 1010".
const POSTAL_BEFORE_CITY: &[&str] = &[
    "AD", "AR", "AT", "BA", "BE", "BG", "CH", "CL", "CY", "CZ", "DK", "DZ", "EE", "FI", "FO", "GL", "GR", "HR", "HU",
    "IL", "IS", "LI", "LT", "LU", "LV", "MA", "MC", "ME", "MK", "MX", "NO", "PL", "PT", "RO", "RS", "SE", "SI", "SK",
    "SM", "TN", "TR", "UY", "VA",
];

fn clean(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn too_long(s: &str, max: usize) -> bool {
    s.chars().count() > max
}

/// Checks an address against its country's rules and reports every field that is wrong, at
/// most one message per field. Field names: `country`, `address_line1`, `address_line2`,
/// `city`, `region`, `postal_code`.
pub fn validate_address(input: &AddressInput) -> Result<Address, Vec<FieldError>> {
    let mut errors = Vec::new();
    let country_code = input.country.trim().to_ascii_uppercase();
    if country_name(&country_code).is_none() {
        errors.push(FieldError::new(
            "country",
            if country_code.is_empty() { "Choose a country." } else { "Choose a country from the list." },
        ));
        // Without a country nothing else can be judged, except that a street is needed.
        if clean(&input.line1).is_empty() {
            errors.push(FieldError::new("address_line1", "Enter the street address."));
        }
        return Err(errors);
    }
    let rules = rules(&country_code);

    let line1 = clean(&input.line1);
    if line1.is_empty() {
        errors.push(FieldError::new("address_line1", "Enter the street address."));
    } else if too_long(&line1, LINE_MAX_CHARS) {
        errors.push(FieldError::new(
            "address_line1",
            format!("Keep the street address to {LINE_MAX_CHARS} characters or fewer."),
        ));
    }
    let line2 = clean(&input.line2);
    if too_long(&line2, LINE_MAX_CHARS) {
        errors
            .push(FieldError::new("address_line2", format!("Keep this line to {LINE_MAX_CHARS} characters or fewer.")));
    }
    let city = clean(&input.city);
    if city.is_empty() {
        errors.push(FieldError::new("city", format!("Enter the {}.", rules.city_noun)));
    } else if too_long(&city, CITY_MAX_CHARS) {
        errors.push(FieldError::new(
            "city",
            format!("Keep the {} to {CITY_MAX_CHARS} characters or fewer.", rules.city_noun),
        ));
    }

    let typed_region = clean(&input.region);
    let region = match rules.region {
        None => String::new(),
        Some(rule) if typed_region.is_empty() => {
            if rule.required {
                errors.push(FieldError::new("region", format!("Choose the {}.", rule.noun)));
            }
            String::new()
        }
        Some(rule) if rule.choices.is_empty() => {
            if too_long(&typed_region, REGION_MAX_CHARS) {
                errors.push(FieldError::new(
                    "region",
                    format!("Keep the {} to {REGION_MAX_CHARS} characters or fewer.", rule.noun),
                ));
            }
            typed_region
        }
        Some(rule) => match region_code(rule.choices, &typed_region) {
            Some(code) => code.to_string(),
            None => {
                errors.push(FieldError::new("region", format!("Choose the {} from the list.", rule.noun)));
                String::new()
            }
        },
    };

    let typed_postal = input.postal_code.trim();
    let postal_code = match rules.postal {
        None => String::new(),
        Some(rule) if typed_postal.is_empty() => {
            if rule.required {
                errors.push(FieldError::new("postal_code", format!("Enter the {}.", rule.noun)));
            }
            String::new()
        }
        Some(rule) => match rule.format.normalize(typed_postal) {
            Some(code) => code,
            None => {
                errors.push(FieldError::new("postal_code", postal_problem(&country_code, rule)));
                String::new()
            }
        },
    };

    if errors.is_empty() {
        Ok(Address { country: country_code, line1, line2, city, region, postal_code })
    } else {
        Err(errors)
    }
}

fn postal_problem(country: &str, rule: PostalRule) -> String {
    match (country, rule.format) {
        ("US", _) => "A ZIP code is 5 digits, or 5 + 4 digits, like 98101 or 98101-1234.".into(),
        ("CA", _) => "A Canadian postal code is letter, digit, letter, digit, letter, digit, like K1A 0B1.".into(),
        ("GB", _) => "This isn't a UK postcode. It looks like SW1A 1AA or M1 1AE.".into(),
        ("NL", _) => "A Dutch postcode is 4 digits and 2 letters, like 1012 AB.".into(),
        ("BR", _) => "A CEP is 8 digits, like 01310-100.".into(),
        ("JP", _) => "A Japanese postal code is 7 digits, like 100-0005.".into(),
        (_, PostalFormat::Digits(n)) => {
            let of = country_name(country).map_or(String::new(), |name| format!(" in {name}"));
            format!("A {}{of} is {n} digits, like {}.", rule.noun, if n == 4 { "2000" } else { "10117" })
        }
        _ => "A postal code can contain only letters, digits, spaces and dashes, up to 12 characters.".into(),
    }
}

/// The code of a region typed as its code or its name, in any case.
pub fn region_code(choices: &'static [(&'static str, &'static str)], typed: &str) -> Option<&'static str> {
    let typed = typed.trim();
    choices
        .iter()
        .find(|(code, name)| code.eq_ignore_ascii_case(typed) || name.to_lowercase() == typed.to_lowercase())
        .map(|(code, _)| *code)
}

/// The lines of an address as its country writes them, ending with the country's name
/// (what goes on an invoice). Works on any stored address, valid or not: empty parts are
/// left out.
pub fn format_lines(address: &Address) -> Vec<String> {
    let rules = rules(&address.country);
    let mut lines: Vec<String> =
        [&address.line1, &address.line2].iter().map(|l| clean(l)).filter(|l| !l.is_empty()).collect();
    let city = clean(&address.city);
    let region = clean(&address.region);
    let postal = clean(&address.postal_code);
    let join =
        |parts: &[&str], sep: &str| parts.iter().filter(|p| !p.is_empty()).copied().collect::<Vec<_>>().join(sep);
    match rules.layout {
        Layout::CityRegionPostal { comma } => {
            let city_region = join(&[&city, &region], if comma { ", " } else { " " });
            lines.push(join(&[&city_region, &postal], " "));
        }
        Layout::PostalCity => {
            lines.push(join(&[&postal, &city], " "));
            lines.push(region);
        }
        Layout::Gb => {
            lines.push(city);
            lines.push(region);
            lines.push(postal);
        }
        Layout::Br => {
            lines.push(join(&[&city, &region], " - "));
            lines.push(postal);
        }
        Layout::Jp => {
            let region_postal = join(&[&region, &postal], " ");
            lines.push(join(&[&city, &region_postal], ", "));
        }
    }
    lines.push(country_name(&address.country).map_or_else(|| address.country.trim().to_uppercase(), str::to_string));
    lines.retain(|l| !l.is_empty());
    lines
}

/// The address on one line, its parts separated by commas (how invoices snapshot it).
pub fn format_single_line(address: &Address) -> String {
    format_lines(address).join(", ")
}

/// The English short name of a country code (any case), if it is one we know.
pub fn country_name(code: &str) -> Option<&'static str> {
    let code = code.trim();
    COUNTRIES.iter().find(|(c, _)| c.eq_ignore_ascii_case(code)).map(|(_, name)| *name)
}

/// Every country a billing address can be in: ISO 3166-1 alpha-2 code and English short
/// name, sorted by name, for the country select.
pub const COUNTRIES: &[(&str, &str)] = &[
    ("AF", "Afghanistan"),
    ("AX", "Åland Islands"),
    ("AL", "Albania"),
    ("DZ", "Algeria"),
    ("AS", "American Samoa"),
    ("AD", "Andorra"),
    ("AO", "Angola"),
    ("AI", "Anguilla"),
    ("AQ", "Antarctica"),
    ("AG", "Antigua and Barbuda"),
    ("AR", "Argentina"),
    ("AM", "Armenia"),
    ("AW", "Aruba"),
    ("AU", "Australia"),
    ("AT", "Austria"),
    ("AZ", "Azerbaijan"),
    ("BS", "Bahamas"),
    ("BH", "Bahrain"),
    ("BD", "Bangladesh"),
    ("BB", "Barbados"),
    ("BY", "Belarus"),
    ("BE", "Belgium"),
    ("BZ", "Belize"),
    ("BJ", "Benin"),
    ("BM", "Bermuda"),
    ("BT", "Bhutan"),
    ("BO", "Bolivia"),
    ("BQ", "Bonaire, Sint Eustatius and Saba"),
    ("BA", "Bosnia and Herzegovina"),
    ("BW", "Botswana"),
    ("BV", "Bouvet Island"),
    ("BR", "Brazil"),
    ("IO", "British Indian Ocean Territory"),
    ("BN", "Brunei"),
    ("BG", "Bulgaria"),
    ("BF", "Burkina Faso"),
    ("BI", "Burundi"),
    ("CV", "Cabo Verde"),
    ("KH", "Cambodia"),
    ("CM", "Cameroon"),
    ("CA", "Canada"),
    ("KY", "Cayman Islands"),
    ("CF", "Central African Republic"),
    ("TD", "Chad"),
    ("CL", "Chile"),
    ("CN", "China"),
    ("CX", "Christmas Island"),
    ("CC", "Cocos (Keeling) Islands"),
    ("CO", "Colombia"),
    ("KM", "Comoros"),
    ("CG", "Congo"),
    ("CD", "Congo (Democratic Republic)"),
    ("CK", "Cook Islands"),
    ("CR", "Costa Rica"),
    ("CI", "Côte d'Ivoire"),
    ("HR", "Croatia"),
    ("CU", "Cuba"),
    ("CW", "Curaçao"),
    ("CY", "Cyprus"),
    ("CZ", "Czechia"),
    ("DK", "Denmark"),
    ("DJ", "Djibouti"),
    ("DM", "Dominica"),
    ("DO", "Dominican Republic"),
    ("EC", "Ecuador"),
    ("EG", "Egypt"),
    ("SV", "El Salvador"),
    ("GQ", "Equatorial Guinea"),
    ("ER", "Eritrea"),
    ("EE", "Estonia"),
    ("SZ", "Eswatini"),
    ("ET", "Ethiopia"),
    ("FK", "Falkland Islands"),
    ("FO", "Faroe Islands"),
    ("FJ", "Fiji"),
    ("FI", "Finland"),
    ("FR", "France"),
    ("GF", "French Guiana"),
    ("PF", "French Polynesia"),
    ("TF", "French Southern Territories"),
    ("GA", "Gabon"),
    ("GM", "Gambia"),
    ("GE", "Georgia"),
    ("DE", "Germany"),
    ("GH", "Ghana"),
    ("GI", "Gibraltar"),
    ("GR", "Greece"),
    ("GL", "Greenland"),
    ("GD", "Grenada"),
    ("GP", "Guadeloupe"),
    ("GU", "Guam"),
    ("GT", "Guatemala"),
    ("GG", "Guernsey"),
    ("GN", "Guinea"),
    ("GW", "Guinea-Bissau"),
    ("GY", "Guyana"),
    ("HT", "Haiti"),
    ("HM", "Heard Island and McDonald Islands"),
    ("VA", "Holy See"),
    ("HN", "Honduras"),
    ("HK", "Hong Kong"),
    ("HU", "Hungary"),
    ("IS", "Iceland"),
    ("IN", "India"),
    ("ID", "Indonesia"),
    ("IR", "Iran"),
    ("IQ", "Iraq"),
    ("IE", "Ireland"),
    ("IM", "Isle of Man"),
    ("IL", "Israel"),
    ("IT", "Italy"),
    ("JM", "Jamaica"),
    ("JP", "Japan"),
    ("JE", "Jersey"),
    ("JO", "Jordan"),
    ("KZ", "Kazakhstan"),
    ("KE", "Kenya"),
    ("KI", "Kiribati"),
    ("KP", "Korea (North)"),
    ("KR", "Korea (South)"),
    ("KW", "Kuwait"),
    ("KG", "Kyrgyzstan"),
    ("LA", "Laos"),
    ("LV", "Latvia"),
    ("LB", "Lebanon"),
    ("LS", "Lesotho"),
    ("LR", "Liberia"),
    ("LY", "Libya"),
    ("LI", "Liechtenstein"),
    ("LT", "Lithuania"),
    ("LU", "Luxembourg"),
    ("MO", "Macao"),
    ("MG", "Madagascar"),
    ("MW", "Malawi"),
    ("MY", "Malaysia"),
    ("MV", "Maldives"),
    ("ML", "Mali"),
    ("MT", "Malta"),
    ("MH", "Marshall Islands"),
    ("MQ", "Martinique"),
    ("MR", "Mauritania"),
    ("MU", "Mauritius"),
    ("YT", "Mayotte"),
    ("MX", "Mexico"),
    ("FM", "Micronesia"),
    ("MD", "Moldova"),
    ("MC", "Monaco"),
    ("MN", "Mongolia"),
    ("ME", "Montenegro"),
    ("MS", "Montserrat"),
    ("MA", "Morocco"),
    ("MZ", "Mozambique"),
    ("MM", "Myanmar"),
    ("NA", "Namibia"),
    ("NR", "Nauru"),
    ("NP", "Nepal"),
    ("NL", "Netherlands"),
    ("NC", "New Caledonia"),
    ("NZ", "New Zealand"),
    ("NI", "Nicaragua"),
    ("NE", "Niger"),
    ("NG", "Nigeria"),
    ("NU", "Niue"),
    ("NF", "Norfolk Island"),
    ("MK", "North Macedonia"),
    ("MP", "Northern Mariana Islands"),
    ("NO", "Norway"),
    ("OM", "Oman"),
    ("PK", "Pakistan"),
    ("PW", "Palau"),
    ("PS", "Palestine"),
    ("PA", "Panama"),
    ("PG", "Papua New Guinea"),
    ("PY", "Paraguay"),
    ("PE", "Peru"),
    ("PH", "Philippines"),
    ("PN", "Pitcairn"),
    ("PL", "Poland"),
    ("PT", "Portugal"),
    ("PR", "Puerto Rico"),
    ("QA", "Qatar"),
    ("RE", "Réunion"),
    ("RO", "Romania"),
    ("RU", "Russia"),
    ("RW", "Rwanda"),
    ("BL", "Saint Barthélemy"),
    ("SH", "Saint Helena, Ascension and Tristan da Cunha"),
    ("KN", "Saint Kitts and Nevis"),
    ("LC", "Saint Lucia"),
    ("MF", "Saint Martin (French part)"),
    ("PM", "Saint Pierre and Miquelon"),
    ("VC", "Saint Vincent and the Grenadines"),
    ("WS", "Samoa"),
    ("SM", "San Marino"),
    ("ST", "Sao Tome and Principe"),
    ("SA", "Saudi Arabia"),
    ("SN", "Senegal"),
    ("RS", "Serbia"),
    ("SC", "Seychelles"),
    ("SL", "Sierra Leone"),
    ("SG", "Singapore"),
    ("SX", "Sint Maarten (Dutch part)"),
    ("SK", "Slovakia"),
    ("SI", "Slovenia"),
    ("SB", "Solomon Islands"),
    ("SO", "Somalia"),
    ("ZA", "South Africa"),
    ("GS", "South Georgia and the South Sandwich Islands"),
    ("SS", "South Sudan"),
    ("ES", "Spain"),
    ("LK", "Sri Lanka"),
    ("SD", "Sudan"),
    ("SR", "Suriname"),
    ("SJ", "Svalbard and Jan Mayen"),
    ("SE", "Sweden"),
    ("CH", "Switzerland"),
    ("SY", "Syria"),
    ("TW", "Taiwan"),
    ("TJ", "Tajikistan"),
    ("TZ", "Tanzania"),
    ("TH", "Thailand"),
    ("TL", "Timor-Leste"),
    ("TG", "Togo"),
    ("TK", "Tokelau"),
    ("TO", "Tonga"),
    ("TT", "Trinidad and Tobago"),
    ("TN", "Tunisia"),
    ("TR", "Türkiye"),
    ("TM", "Turkmenistan"),
    ("TC", "Turks and Caicos Islands"),
    ("TV", "Tuvalu"),
    ("UG", "Uganda"),
    ("UA", "Ukraine"),
    ("AE", "United Arab Emirates"),
    ("GB", "United Kingdom"),
    ("US", "United States"),
    ("UM", "United States Minor Outlying Islands"),
    ("UY", "Uruguay"),
    ("UZ", "Uzbekistan"),
    ("VU", "Vanuatu"),
    ("VE", "Venezuela"),
    ("VN", "Vietnam"),
    ("VG", "Virgin Islands (British)"),
    ("VI", "Virgin Islands (U.S.)"),
    ("WF", "Wallis and Futuna"),
    ("EH", "Western Sahara"),
    ("YE", "Yemen"),
    ("ZM", "Zambia"),
    ("ZW", "Zimbabwe"),
];

/// USPS state codes: the 50 states, the District of Columbia, the inhabited territories and
/// the armed forces' addresses.
pub const US_STATES: &[(&str, &str)] = &[
    ("AL", "Alabama"),
    ("AK", "Alaska"),
    ("AZ", "Arizona"),
    ("AR", "Arkansas"),
    ("CA", "California"),
    ("CO", "Colorado"),
    ("CT", "Connecticut"),
    ("DE", "Delaware"),
    ("DC", "District of Columbia"),
    ("FL", "Florida"),
    ("GA", "Georgia"),
    ("HI", "Hawaii"),
    ("ID", "Idaho"),
    ("IL", "Illinois"),
    ("IN", "Indiana"),
    ("IA", "Iowa"),
    ("KS", "Kansas"),
    ("KY", "Kentucky"),
    ("LA", "Louisiana"),
    ("ME", "Maine"),
    ("MD", "Maryland"),
    ("MA", "Massachusetts"),
    ("MI", "Michigan"),
    ("MN", "Minnesota"),
    ("MS", "Mississippi"),
    ("MO", "Missouri"),
    ("MT", "Montana"),
    ("NE", "Nebraska"),
    ("NV", "Nevada"),
    ("NH", "New Hampshire"),
    ("NJ", "New Jersey"),
    ("NM", "New Mexico"),
    ("NY", "New York"),
    ("NC", "North Carolina"),
    ("ND", "North Dakota"),
    ("OH", "Ohio"),
    ("OK", "Oklahoma"),
    ("OR", "Oregon"),
    ("PA", "Pennsylvania"),
    ("RI", "Rhode Island"),
    ("SC", "South Carolina"),
    ("SD", "South Dakota"),
    ("TN", "Tennessee"),
    ("TX", "Texas"),
    ("UT", "Utah"),
    ("VT", "Vermont"),
    ("VA", "Virginia"),
    ("WA", "Washington"),
    ("WV", "West Virginia"),
    ("WI", "Wisconsin"),
    ("WY", "Wyoming"),
    ("AS", "American Samoa"),
    ("GU", "Guam"),
    ("MP", "Northern Mariana Islands"),
    ("PR", "Puerto Rico"),
    ("VI", "U.S. Virgin Islands"),
    ("AA", "Armed Forces Americas"),
    ("AE", "Armed Forces Europe"),
    ("AP", "Armed Forces Pacific"),
];

pub const CA_PROVINCES: &[(&str, &str)] = &[
    ("AB", "Alberta"),
    ("BC", "British Columbia"),
    ("MB", "Manitoba"),
    ("NB", "New Brunswick"),
    ("NL", "Newfoundland and Labrador"),
    ("NS", "Nova Scotia"),
    ("NT", "Northwest Territories"),
    ("NU", "Nunavut"),
    ("ON", "Ontario"),
    ("PE", "Prince Edward Island"),
    ("QC", "Quebec"),
    ("SK", "Saskatchewan"),
    ("YT", "Yukon"),
];

/// The 26 states and the Federal District (unidades federativas).
pub const BR_STATES: &[(&str, &str)] = &[
    ("AC", "Acre"),
    ("AL", "Alagoas"),
    ("AP", "Amapá"),
    ("AM", "Amazonas"),
    ("BA", "Bahia"),
    ("CE", "Ceará"),
    ("DF", "Distrito Federal"),
    ("ES", "Espírito Santo"),
    ("GO", "Goiás"),
    ("MA", "Maranhão"),
    ("MT", "Mato Grosso"),
    ("MS", "Mato Grosso do Sul"),
    ("MG", "Minas Gerais"),
    ("PA", "Pará"),
    ("PB", "Paraíba"),
    ("PR", "Paraná"),
    ("PE", "Pernambuco"),
    ("PI", "Piauí"),
    ("RJ", "Rio de Janeiro"),
    ("RN", "Rio Grande do Norte"),
    ("RS", "Rio Grande do Sul"),
    ("RO", "Rondônia"),
    ("RR", "Roraima"),
    ("SC", "Santa Catarina"),
    ("SP", "São Paulo"),
    ("SE", "Sergipe"),
    ("TO", "Tocantins"),
];

pub const AU_STATES: &[(&str, &str)] = &[
    ("ACT", "Australian Capital Territory"),
    ("NSW", "New South Wales"),
    ("NT", "Northern Territory"),
    ("QLD", "Queensland"),
    ("SA", "South Australia"),
    ("TAS", "Tasmania"),
    ("VIC", "Victoria"),
    ("WA", "Western Australia"),
];

/// The 47 prefectures, by their English names (which is also what is stored).
pub const JP_PREFECTURES: &[(&str, &str)] = &[
    ("Hokkaido", "Hokkaido"),
    ("Aomori", "Aomori"),
    ("Iwate", "Iwate"),
    ("Miyagi", "Miyagi"),
    ("Akita", "Akita"),
    ("Yamagata", "Yamagata"),
    ("Fukushima", "Fukushima"),
    ("Ibaraki", "Ibaraki"),
    ("Tochigi", "Tochigi"),
    ("Gunma", "Gunma"),
    ("Saitama", "Saitama"),
    ("Chiba", "Chiba"),
    ("Tokyo", "Tokyo"),
    ("Kanagawa", "Kanagawa"),
    ("Niigata", "Niigata"),
    ("Toyama", "Toyama"),
    ("Ishikawa", "Ishikawa"),
    ("Fukui", "Fukui"),
    ("Yamanashi", "Yamanashi"),
    ("Nagano", "Nagano"),
    ("Gifu", "Gifu"),
    ("Shizuoka", "Shizuoka"),
    ("Aichi", "Aichi"),
    ("Mie", "Mie"),
    ("Shiga", "Shiga"),
    ("Kyoto", "Kyoto"),
    ("Osaka", "Osaka"),
    ("Hyogo", "Hyogo"),
    ("Nara", "Nara"),
    ("Wakayama", "Wakayama"),
    ("Tottori", "Tottori"),
    ("Shimane", "Shimane"),
    ("Okayama", "Okayama"),
    ("Hiroshima", "Hiroshima"),
    ("Yamaguchi", "Yamaguchi"),
    ("Tokushima", "Tokushima"),
    ("Kagawa", "Kagawa"),
    ("Ehime", "Ehime"),
    ("Kochi", "Kochi"),
    ("Fukuoka", "Fukuoka"),
    ("Saga", "Saga"),
    ("Nagasaki", "Nagasaki"),
    ("Kumamoto", "Kumamoto"),
    ("Oita", "Oita"),
    ("Miyazaki", "Miyazaki"),
    ("Kagoshima", "Kagoshima"),
    ("Okinawa", "Okinawa"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn input(country: &str, line1: &str, city: &str, region: &str, postal: &str) -> AddressInput {
        AddressInput {
            country: country.into(),
            line1: line1.into(),
            line2: String::new(),
            city: city.into(),
            region: region.into(),
            postal_code: postal.into(),
        }
    }

    fn fields(errors: &[FieldError]) -> Vec<&'static str> {
        errors.iter().map(|e| e.field).collect()
    }

    fn message(errors: &[FieldError], field: &str) -> String {
        errors.iter().find(|e| e.field == field).map(|e| e.message.clone()).unwrap_or_default()
    }

    #[test]
    fn countries_are_unique_two_letter_codes_sorted_by_name() {
        let mut codes: Vec<&str> = COUNTRIES.iter().map(|(c, _)| *c).collect();
        assert!(codes.iter().all(|c| c.len() == 2 && c.chars().all(|ch| ch.is_ascii_uppercase())));
        let count = codes.len();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), count, "duplicate country code");
        assert!(count >= 240);
        for code in ["US", "CA", "GB", "DE", "FR", "NL", "ES", "IT", "BR", "AU", "JP", "GR", "IE"] {
            assert!(country_name(code).is_some(), "{code}");
        }
        assert_eq!(country_name("us"), Some("United States"));
        assert_eq!(country_name("XX"), None);
    }

    #[test]
    fn region_lists_have_unique_codes() {
        for (list, size) in [(US_STATES, 59), (CA_PROVINCES, 13), (BR_STATES, 27), (AU_STATES, 8), (JP_PREFECTURES, 47)]
        {
            assert_eq!(list.len(), size);
            let mut codes: Vec<&str> = list.iter().map(|(c, _)| *c).collect();
            codes.sort_unstable();
            codes.dedup();
            assert_eq!(codes.len(), size);
        }
    }

    #[test]
    fn labels_fit_the_country() {
        assert_eq!(rules("US").postal.unwrap().label, "ZIP code");
        assert_eq!(rules("US").region.unwrap().label, "State");
        assert_eq!(rules("GB").postal.unwrap().label, "Postcode");
        assert_eq!(rules("GB").region.unwrap().label, "County (optional)");
        assert_eq!(rules("CA").postal.unwrap().label, "Postal code");
        assert!(rules("CA").region.unwrap().label.starts_with("Province"));
        assert_eq!(rules("JP").region.unwrap().label, "Prefecture");
        assert_eq!(rules("BR").postal.unwrap().label, "CEP");
        for country in ["DE", "FR", "ES", "IT", "NL"] {
            assert!(rules(country).region.is_none(), "{country} has no region");
            assert!(rules(country).postal.unwrap().required);
        }
        let default = rules("CH");
        assert!(!default.region.unwrap().required && !default.postal.unwrap().required);
        assert_eq!(rules("us").code, "US");
        assert_eq!(rules("XX").code, "");
    }

    #[test]
    fn us_addresses_need_a_state_from_the_list_and_a_zip() {
        let ok = validate_address(&input("us", " 1200  Harbor Way ", "Seattle", "wa", "98101")).unwrap();
        assert_eq!(
            (ok.country.as_str(), ok.line1.as_str(), ok.region.as_str(), ok.postal_code.as_str()),
            ("US", "1200 Harbor Way", "WA", "98101")
        );
        assert_eq!(
            validate_address(&input("US", "1 Main St", "Austin", "Texas", "78701 1234")).unwrap().postal_code,
            "78701-1234"
        );
        assert_eq!(
            validate_address(&input("US", "1 Main St", "Austin", "TX", "787011234")).unwrap().postal_code,
            "78701-1234"
        );
        assert_eq!(validate_address(&input("US", "1 Main St", "Austin", "TX", "78701")).unwrap().region, "TX");

        let errors = validate_address(&input("US", "", "", "ZZ", "9810")).unwrap_err();
        assert_eq!(fields(&errors), vec!["address_line1", "city", "region", "postal_code"]);
        assert_eq!(
            message(&errors, "postal_code"),
            "A ZIP code is 5 digits, or 5 + 4 digits, like 98101 or 98101-1234."
        );
        assert_eq!(message(&errors, "region"), "Choose the state from the list.");
        assert_eq!(message(&errors, "city"), "Enter the city.");
        for bad in ["9810", "981011", "98101-12", "9810A", "98-101", "98101--1234", "981-011234"] {
            assert!(PostalFormat::UsZip.normalize(bad).is_none(), "{bad}");
        }
        let errors = validate_address(&input("US", "1 Main St", "Austin", "", "")).unwrap_err();
        assert_eq!(message(&errors, "region"), "Choose the state.");
        assert_eq!(message(&errors, "postal_code"), "Enter the ZIP code.");
    }

    #[test]
    fn canadian_postal_codes_follow_canada_post() {
        let f = PostalFormat::CaPostal;
        assert_eq!(f.normalize("k1a0b1").as_deref(), Some("K1A 0B1"));
        assert_eq!(f.normalize("M5V 3L9").as_deref(), Some("M5V 3L9"));
        assert_eq!(f.normalize("M5V-3L9").as_deref(), Some("M5V 3L9"));
        for bad in ["K1A 0B", "D1A 0B1", "W1A 0B1", "K1O 0B1", "111 111", "K1A 0B1X"] {
            assert!(f.normalize(bad).is_none(), "{bad}");
        }
        let ok = validate_address(&input("CA", "24 Sussex Dr", "Ottawa", "Ontario", "k1m 1m4")).unwrap();
        assert_eq!((ok.region.as_str(), ok.postal_code.as_str()), ("ON", "K1M 1M4"));
        assert!(validate_address(&input("CA", "24 Sussex Dr", "Ottawa", "WA", "K1M 1M4")).is_err());
    }

    #[test]
    fn uk_postcodes_in_every_shape() {
        let f = PostalFormat::GbPostcode;
        for (typed, canonical) in [
            ("sw1a1aa", "SW1A 1AA"),
            ("M1 1AE", "M1 1AE"),
            ("B33 8TH", "B33 8TH"),
            ("CR2 6XH", "CR2 6XH"),
            ("DN55 1PT", "DN55 1PT"),
            ("W1A 0AX", "W1A 0AX"),
            ("EC1A 1BB", "EC1A 1BB"),
            ("gir 0aa", "GIR 0AA"),
        ] {
            assert_eq!(f.normalize(typed).as_deref(), Some(canonical), "{typed}");
        }
        for bad in ["SW1A", "1AA 1AA", "SW1A 1CA", "SW1A1A", "SW1AA 1AA", "12345"] {
            assert!(f.normalize(bad).is_none(), "{bad}");
        }
        // The county is optional.
        let ok = validate_address(&input("GB", "10 Downing Street", "London", "", "SW1A 2AA")).unwrap();
        assert_eq!(ok.region, "");
        let errors = validate_address(&input("GB", "10 Downing Street", "", "", "SW1A")).unwrap_err();
        assert_eq!(message(&errors, "city"), "Enter the town or city.");
        assert_eq!(message(&errors, "postal_code"), "This isn't a UK postcode. It looks like SW1A 1AA or M1 1AE.");
    }

    #[test]
    fn continental_postal_codes() {
        for country in ["DE", "FR", "ES", "IT"] {
            let ok = validate_address(&input(country, "Street 1", "City", "Somewhere", " 01067 ")).unwrap();
            assert_eq!(ok.postal_code, "01067");
            assert_eq!(ok.region, "", "{country} keeps no region");
            let errors = validate_address(&input(country, "Street 1", "City", "", "1234")).unwrap_err();
            assert!(message(&errors, "postal_code").contains("5 digits"), "{country}");
        }
        let errors = validate_address(&input("DE", "Street 1", "Berlin", "", "1011")).unwrap_err();
        assert_eq!(message(&errors, "postal_code"), "A postal code in Germany is 5 digits, like 10117.");
        let f = PostalFormat::NlPostcode;
        assert_eq!(f.normalize("1012ab").as_deref(), Some("1012 AB"));
        for bad in ["0123 AB", "1012 SA", "1012", "1012 A1", "10123 AB"] {
            assert!(f.normalize(bad).is_none(), "{bad}");
        }
        assert_eq!(
            validate_address(&input("NL", "Damrak 1", "Amsterdam", "", "1012 lg")).unwrap().postal_code,
            "1012 LG"
        );
    }

    #[test]
    fn brazil_australia_japan() {
        let br = validate_address(&input("BR", "Av. Paulista, 1578", "São Paulo", "sp", "01310200")).unwrap();
        assert_eq!((br.region.as_str(), br.postal_code.as_str()), ("SP", "01310-200"));
        assert!(validate_address(&input("BR", "Av. Paulista, 1578", "São Paulo", "XX", "01310-200")).is_err());
        assert!(PostalFormat::BrCep.normalize("01310-20").is_none());

        let au = validate_address(&input("AU", "1 Macquarie St", "Sydney", "New South Wales", "2000")).unwrap();
        assert_eq!((au.region.as_str(), au.postal_code.as_str()), ("NSW", "2000"));
        let errors = validate_address(&input("AU", "1 Macquarie St", "Sydney", "NSW", "20000")).unwrap_err();
        assert_eq!(message(&errors, "postal_code"), "A postcode in Australia is 4 digits, like 2000.");

        let jp = validate_address(&input("JP", "1-1 Chiyoda", "Chiyoda-ku", "tokyo", "〒1000001")).unwrap();
        assert_eq!((jp.region.as_str(), jp.postal_code.as_str()), ("Tokyo", "100-0001"));
        let errors = validate_address(&input("JP", "1-1 Chiyoda", "Chiyoda-ku", "", "100-001")).unwrap_err();
        assert_eq!(fields(&errors), vec!["region", "postal_code"]);
    }

    #[test]
    fn other_countries_get_the_default() {
        let ok = validate_address(&input("CH", "Bahnhofstrasse 1", "Zürich", "", "8001")).unwrap();
        assert_eq!(ok.postal_code, "8001");
        assert!(validate_address(&input("IE", "1 Main Street", "Dublin", "Co. Dublin", "")).is_ok());
        let errors = validate_address(&input("CH", "Bahnhofstrasse 1", "Zürich", "", "80#01")).unwrap_err();
        assert_eq!(fields(&errors), vec!["postal_code"]);
        let errors = validate_address(&input("XX", "", "Zürich", "", "")).unwrap_err();
        assert_eq!(fields(&errors), vec!["country", "address_line1"]);
        assert_eq!(message(&errors, "country"), "Choose a country from the list.");
        let long = "x".repeat(LINE_MAX_CHARS + 1);
        let errors = validate_address(&input("CH", &long, "Zürich", "", "")).unwrap_err();
        assert_eq!(fields(&errors), vec!["address_line1"]);
    }

    #[test]
    fn formats_addresses_the_way_each_country_writes_them() {
        let address = |country: &str, line2: &str, city: &str, region: &str, postal: &str| Address {
            country: country.into(),
            line1: "Line 1".into(),
            line2: line2.into(),
            city: city.into(),
            region: region.into(),
            postal_code: postal.into(),
        };
        let us = Address { line1: "1200 Harbor Way".into(), ..address("US", "Floor 3", "Seattle", "WA", "98101") };
        assert_eq!(format_lines(&us), vec!["1200 Harbor Way", "Floor 3", "Seattle, WA 98101", "United States"]);
        // Exactly how the demo invoices already show Northwind's address.
        assert_eq!(format_single_line(&us), "1200 Harbor Way, Floor 3, Seattle, WA 98101, United States");
        let de = Address { line1: "Friedrichstraße 68".into(), ..address("DE", "", "Berlin", "", "10117") };
        assert_eq!(format_single_line(&de), "Friedrichstraße 68, 10117 Berlin, Germany");
        assert_eq!(
            format_lines(&address("CA", "", "Ottawa", "ON", "K1A 0B1")),
            vec!["Line 1", "Ottawa ON K1A 0B1", "Canada"]
        );
        assert_eq!(
            format_lines(&address("GB", "", "London", "Greater London", "SW1A 1AA")),
            vec!["Line 1", "London", "Greater London", "SW1A 1AA", "United Kingdom"]
        );
        assert_eq!(
            format_lines(&address("NL", "", "Amsterdam", "", "1012 LG")),
            vec!["Line 1", "1012 LG Amsterdam", "Netherlands"]
        );
        assert_eq!(
            format_lines(&address("BR", "", "São Paulo", "SP", "01310-200")),
            vec!["Line 1", "São Paulo - SP", "01310-200", "Brazil"]
        );
        assert_eq!(
            format_lines(&address("AU", "", "Sydney", "NSW", "2000")),
            vec!["Line 1", "Sydney NSW 2000", "Australia"]
        );
        assert_eq!(
            format_lines(&address("JP", "", "Chiyoda-ku", "Tokyo", "100-0001")),
            vec!["Line 1", "Chiyoda-ku, Tokyo 100-0001", "Japan"]
        );
        assert_eq!(format_lines(&address("AT", "", "Wien", "", "1010")), vec!["Line 1", "1010 Wien", "Austria"]);
        assert_eq!(
            format_lines(&address("SG", "", "Singapore", "", "018956")),
            vec!["Line 1", "Singapore 018956", "Singapore"]
        );
        // Whatever is stored renders without empty lines, even an unknown country.
        assert_eq!(format_lines(&address("ZZ", "", "", "", "")), vec!["Line 1", "ZZ"]);
    }
}
