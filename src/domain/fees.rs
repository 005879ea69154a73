//! What each payment method costs the client, so the payment page can show every option's
//! fee and total side by side before the client chooses.
//!
//! The vendor's settings arrive as a [`FeeSchedule`] value rather than living in a global, so
//! that each account can have its own and tests can use any rate. Fees are rounded by the
//! one rule in [`super::money`] (half away from zero), through [`Money::times_rate`].

use super::currency::Currency;
use super::money::Money;
use super::payment_method::MethodKind;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The order methods are offered in: card first because it is what most clients use, then
/// the bank transfers, then the Brazilian methods.
pub const METHOD_ORDER: [MethodKind; 5] =
    [MethodKind::Card, MethodKind::Ach, MethodKind::Wire, MethodKind::Pix, MethodKind::Boleto];

/// A vendor's fee settings for one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeSchedule {
    /// Fraction of the amount added when paying by card (0.04 = 4 %).
    pub card_surcharge_rate: Decimal,
    /// Smallest amount, in minor units of the invoice's currency, accepted by ACH.
    pub ach_minimum_minor: i64,
    /// Smallest amount, in minor units of the invoice's currency, accepted by wire.
    pub wire_minimum_minor: i64,
    /// The methods this account offers. Order does not matter; see [`METHOD_ORDER`].
    pub enabled: Vec<MethodKind>,
}

impl FeeSchedule {
    /// The settings a new account starts with in `currency`:
    ///
    /// - **Card surcharge 4 %** passes the processor's cost (about 3 %, more for international
    ///   and American Express cards) on to the clients who choose the convenience of a card.
    /// - **ACH from $50.00**: a returned debit costs a flat fee whatever the amount, which
    ///   small payments do not justify.
    /// - **Wire from about $1,000**: banks charge the sender a flat fee per wire and each one is
    ///   reconciled by hand, so wires only make sense for large invoices. The minimum is set in
    ///   each currency at about the same worth ([`wire_minimum_major`]): €1,000, £800, R$5,000,
    ///   ¥150,000; a yen minimum is not a dollar minimum in minor units.
    ///
    /// Methods depend on where the money moves:
    /// - **USD**: card, ACH (the US domestic bank debit network, dollars only) and wire.
    /// - **BRL**: card, PIX and Boleto, which are how Brazilian businesses pay domestically.
    ///   No wire: paying an international wire in reais needs a foreign-exchange contract on
    ///   the client's side, which PIX and Boleto avoid.
    /// - **Any other currency**: card and wire; there is no domestic debit rail to offer.
    pub fn default_for(currency: Currency) -> Self {
        let major_unit = 10i64.pow(currency.exponent());
        FeeSchedule {
            card_surcharge_rate: Decimal::new(4, 2),
            ach_minimum_minor: 50 * major_unit,
            wire_minimum_minor: wire_minimum_major(currency) * major_unit,
            enabled: default_methods(currency),
        }
    }

    pub fn offers(&self, method: MethodKind) -> bool {
        self.enabled.contains(&method)
    }
}

/// The methods offered in `currency` unless the vendor chose otherwise: where the money moves
/// decides them (see [`FeeSchedule::default_for`]).
pub fn default_methods(currency: Currency) -> Vec<MethodKind> {
    match currency {
        Currency::Usd => vec![MethodKind::Card, MethodKind::Ach, MethodKind::Wire],
        Currency::Brl => vec![MethodKind::Card, MethodKind::Pix, MethodKind::Boleto],
        _ => vec![MethodKind::Card, MethodKind::Wire],
    }
}

/// The smallest wire in `currency`, in major units: about $1,000 everywhere.
pub fn wire_minimum_major(currency: Currency) -> i64 {
    match currency {
        Currency::Usd | Currency::Eur => 1_000,
        Currency::Gbp => 800,
        Currency::Cad => 1_300,
        Currency::Aud => 1_500,
        Currency::Brl => 5_000,
        Currency::Jpy => 150_000,
    }
}

/// When an invoice paid this way counts as paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Settlement {
    /// The payment is taken when the client confirms; nothing more is asked of them. (An ACH
    /// debit still clears over a few business days and can bounce; that is the payment
    /// record's concern, not the client's choice.)
    Immediately,
    /// The client must send the money from their bank (a wire, or paying a boleto slip), and
    /// the invoice waits, awaiting the transfer, until it arrives.
    OnBankTransfer,
}

/// What paying an amount by one method would cost, or why it cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum MethodQuote {
    Available {
        fee: Money,
        total: Money,
        settles: Settlement,
    },
    /// `reason` is shown to the client as is.
    Unavailable {
        reason: String,
    },
}

impl MethodQuote {
    pub fn is_available(&self) -> bool {
        matches!(self, MethodQuote::Available { .. })
    }

    fn unavailable(reason: impl Into<String>) -> Self {
        MethodQuote::Unavailable { reason: reason.into() }
    }
}

/// What paying `amount` by `method` costs under `schedule`.
///
/// - A method the schedule does not enable: unavailable, "Not offered for this account."
/// - Nothing owed (zero or a credit): unavailable, "Nothing to pay."
/// - Card: fee = amount × `card_surcharge_rate`, rounded half away from zero.
/// - ACH and wire: no fee, but unavailable below their minimum; a wire settles on transfer.
/// - PIX: no fee, settles at once (PIX transfers land within seconds, at any hour).
/// - Boleto: no fee, settles on transfer (the client pays the slip at their bank later, and
///   it clears a business day or two after).
pub fn quote(schedule: &FeeSchedule, method: MethodKind, amount: Money) -> MethodQuote {
    if !schedule.offers(method) {
        return MethodQuote::unavailable("Not offered for this account.");
    }
    if let Some(reason) = currency_restriction(method, amount.currency) {
        return MethodQuote::unavailable(reason);
    }
    if amount.minor <= 0 {
        return MethodQuote::unavailable("Nothing to pay.");
    }
    let no_fee = |settles| MethodQuote::Available { fee: Money::zero(amount.currency), total: amount, settles };
    let minimum = |minor| Money::new(minor, amount.currency);
    match method {
        MethodKind::Card => {
            let fee_and_total = amount
                .times_rate(schedule.card_surcharge_rate)
                .and_then(|fee| amount.checked_add(fee).map(|total| (fee, total)));
            match fee_and_total {
                Ok((fee, total)) => MethodQuote::Available { fee, total, settles: Settlement::Immediately },
                Err(_) => MethodQuote::unavailable("This amount is too large to pay by card."),
            }
        }
        MethodKind::Ach if amount.minor < schedule.ach_minimum_minor => {
            MethodQuote::unavailable(format!("ACH payments start at {}.", minimum(schedule.ach_minimum_minor).format()))
        }
        MethodKind::Ach => no_fee(Settlement::Immediately),
        MethodKind::Wire if amount.minor < schedule.wire_minimum_minor => MethodQuote::unavailable(format!(
            "Wire transfers start at {}.",
            minimum(schedule.wire_minimum_minor).format()
        )),
        MethodKind::Wire => no_fee(Settlement::OnBankTransfer),
        MethodKind::Pix => no_fee(Settlement::Immediately),
        MethodKind::Boleto => no_fee(Settlement::OnBankTransfer),
    }
}

/// Methods that only exist in one currency's banking system. A vendor enables methods for
/// all its clients, so this keeps a USD client from being offered PIX, for instance.
fn currency_restriction(method: MethodKind, currency: Currency) -> Option<&'static str> {
    match method {
        MethodKind::Pix if currency != Currency::Brl => Some("PIX is only for payments in Brazilian reais (BRL)."),
        MethodKind::Boleto if currency != Currency::Brl => {
            Some("Boleto is only for payments in Brazilian reais (BRL).")
        }
        MethodKind::Ach if currency != Currency::Usd => Some("ACH is only for payments in US dollars (USD)."),
        _ => None,
    }
}

/// A quote for every method the schedule enables, in [`METHOD_ORDER`], each listed once.
pub fn compare(schedule: &FeeSchedule, amount: Money) -> Vec<(MethodKind, MethodQuote)> {
    METHOD_ORDER
        .into_iter()
        .filter(|method| schedule.offers(*method))
        .map(|method| (method, quote(schedule, method, amount)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn usd(minor: i64) -> Money {
        Money::new(minor, Currency::Usd)
    }

    fn jpy(yen: i64) -> Money {
        Money::new(yen, Currency::Jpy)
    }

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn card_only(rate: &str) -> FeeSchedule {
        FeeSchedule { card_surcharge_rate: dec(rate), ..FeeSchedule::default_for(Currency::Usd) }
    }

    fn available(fee: Money, total: Money, settles: Settlement) -> MethodQuote {
        MethodQuote::Available { fee, total, settles }
    }

    fn unavailable(reason: &str) -> MethodQuote {
        MethodQuote::Unavailable { reason: reason.into() }
    }

    /// The card fee for `amount` at `rate`, after checking that the exact product is what the
    /// test claims it is, so a test meant to land on a half minor unit really does.
    fn card_fee(rate: &str, amount: Money, exact: &str) -> Money {
        assert_eq!(amount.as_decimal() * dec(rate), dec(exact), "{rate} × {amount}");
        match quote(&card_only(rate), MethodKind::Card, amount) {
            MethodQuote::Available { fee, total, settles } => {
                assert_eq!(total, amount.checked_add(fee).unwrap());
                assert_eq!(settles, Settlement::Immediately);
                fee
            }
            other => panic!("card unavailable for {amount}: {other:?}"),
        }
    }

    #[test]
    fn default_schedule_depends_on_the_currency() {
        let usd_schedule = FeeSchedule::default_for(Currency::Usd);
        assert_eq!(
            usd_schedule,
            FeeSchedule {
                card_surcharge_rate: dec("0.04"),
                ach_minimum_minor: 5_000,
                wire_minimum_minor: 100_000,
                enabled: vec![MethodKind::Card, MethodKind::Ach, MethodKind::Wire],
            }
        );
        assert_eq!(
            FeeSchedule::default_for(Currency::Brl).enabled,
            vec![MethodKind::Card, MethodKind::Pix, MethodKind::Boleto]
        );
        for currency in [Currency::Eur, Currency::Gbp, Currency::Cad, Currency::Aud, Currency::Jpy] {
            assert_eq!(
                FeeSchedule::default_for(currency).enabled,
                vec![MethodKind::Card, MethodKind::Wire],
                "{currency}"
            );
        }
        // Minimums are of about the same worth in every currency, in its own minor units: a yen
        // minimum is not a dollar minimum (yen has no minor unit).
        let yen = FeeSchedule::default_for(Currency::Jpy);
        assert_eq!(yen.wire_minimum_minor, 150_000);
        let euro = FeeSchedule::default_for(Currency::Eur);
        assert_eq!(euro.wire_minimum_minor, 100_000);
        assert_eq!(FeeSchedule::default_for(Currency::Brl).wire_minimum_minor, 500_000);
        assert_eq!(FeeSchedule::default_for(Currency::Usd).ach_minimum_minor, 5_000);
    }

    #[test]
    fn card_fee_is_the_rate_rounded_to_the_cent() {
        assert_eq!(card_fee("0.04", usd(1000), "0.4000"), usd(40));
        assert_eq!(card_fee("0.04", usd(63), "0.0252"), usd(3));
        assert_eq!(card_fee("0.04", usd(1250), "0.5000"), usd(50));
        assert_eq!(card_fee("0.04", usd(1238), "0.4952"), usd(50));
        assert_eq!(card_fee("0.04", usd(1237), "0.4948"), usd(49));
        assert_eq!(card_fee("0.04", usd(1), "0.0004"), usd(0));
        assert_eq!(
            quote(&FeeSchedule::default_for(Currency::Usd), MethodKind::Card, usd(123_456)),
            available(usd(4_938), usd(128_394), Settlement::Immediately) // 4 % of $1,234.56 = $49.3824
        );
    }

    /// 4 % of a whole number of cents can never end in exactly half a cent (0.04·c = k + 0.5
    /// has no integer c), so the half-cent cases use other rates. Each one would come out a
    /// cent lower with banker's rounding (half to even) or truncation.
    #[test]
    fn card_fee_rounds_exact_half_cents_away_from_zero() {
        assert_eq!(card_fee("0.025", usd(20), "0.00500"), usd(1));
        assert_eq!(card_fee("0.025", usd(100), "0.02500"), usd(3));
        assert_eq!(card_fee("0.025", usd(1220), "0.30500"), usd(31));
        assert_eq!(card_fee("0.05", usd(50), "0.0250"), usd(3));
        assert_eq!(card_fee("0.029", usd(50_000), "14.50000"), usd(1450)); // exact, no rounding
        assert_eq!(card_fee("0.015", usd(100), "0.01500"), usd(2));
        // Just below a half rounds down.
        assert_eq!(card_fee("0.035", usd(10), "0.00350"), usd(0));
        assert_eq!(card_fee("0.0249", usd(20), "0.004980"), usd(0));
    }

    #[test]
    fn yen_card_fee_rounds_to_whole_yen() {
        let schedule = FeeSchedule::default_for(Currency::Jpy);
        let fee_of = |yen| match quote(&schedule, MethodKind::Card, jpy(yen)) {
            MethodQuote::Available { fee, .. } => fee,
            other => panic!("{other:?}"),
        };
        assert_eq!(fee_of(1_238), jpy(50)); // 49.52
        assert_eq!(fee_of(1_237), jpy(49)); // 49.48
        assert_eq!(fee_of(12), jpy(0)); // 0.48
        assert_eq!(fee_of(13), jpy(1)); // 0.52
        assert_eq!(fee_of(120_000), jpy(4_800));
        assert_eq!(fee_of(1_238).format(), "¥50");
        // Exactly half a yen rounds up.
        assert_eq!(card_fee("0.025", jpy(20), "0.500"), jpy(1));
        assert_eq!(card_fee("0.025", jpy(100), "2.500"), jpy(3));
        assert_eq!(
            quote(&schedule, MethodKind::Card, jpy(1_238)),
            available(jpy(50), jpy(1_288), Settlement::Immediately)
        );
    }

    #[test]
    fn ach_starts_at_its_minimum() {
        let schedule = FeeSchedule::default_for(Currency::Usd);
        assert_eq!(
            quote(&schedule, MethodKind::Ach, usd(5_000)),
            available(usd(0), usd(5_000), Settlement::Immediately)
        );
        assert_eq!(quote(&schedule, MethodKind::Ach, usd(4_999)), unavailable("ACH payments start at $50.00."));
        assert_eq!(
            quote(&schedule, MethodKind::Ach, usd(1_000_000)),
            available(usd(0), usd(1_000_000), Settlement::Immediately)
        );
        let custom = FeeSchedule { ach_minimum_minor: 250_000, ..schedule };
        assert_eq!(quote(&custom, MethodKind::Ach, usd(1)), unavailable("ACH payments start at $2,500.00."));
    }

    #[test]
    fn wire_starts_at_its_minimum_and_waits_for_the_transfer() {
        let schedule = FeeSchedule::default_for(Currency::Usd);
        assert_eq!(
            quote(&schedule, MethodKind::Wire, usd(100_000)),
            available(usd(0), usd(100_000), Settlement::OnBankTransfer)
        );
        assert_eq!(quote(&schedule, MethodKind::Wire, usd(99_999)), unavailable("Wire transfers start at $1,000.00."));
        // The minimum is shown in the invoice's currency.
        let euros = FeeSchedule::default_for(Currency::Eur);
        assert_eq!(
            quote(&euros, MethodKind::Wire, Money::new(99_999, Currency::Eur)),
            unavailable("Wire transfers start at €1,000.00.")
        );
        // In yen, a minimum of the same worth: not 1,000 of them.
        let yen = FeeSchedule::default_for(Currency::Jpy);
        assert_eq!(quote(&yen, MethodKind::Wire, jpy(149_999)), unavailable("Wire transfers start at ¥150,000."));
        assert!(quote(&yen, MethodKind::Wire, jpy(150_000)).is_available());
    }

    #[test]
    fn pix_and_boleto_are_free() {
        let schedule = FeeSchedule::default_for(Currency::Brl);
        let reais = Money::new(1, Currency::Brl);
        assert_eq!(
            quote(&schedule, MethodKind::Pix, reais),
            available(Money::zero(Currency::Brl), reais, Settlement::Immediately)
        );
        assert_eq!(
            quote(&schedule, MethodKind::Boleto, reais),
            available(Money::zero(Currency::Brl), reais, Settlement::OnBankTransfer)
        );
    }

    #[test]
    fn a_method_the_account_does_not_offer_is_unavailable() {
        let usd_schedule = FeeSchedule::default_for(Currency::Usd);
        for method in [MethodKind::Pix, MethodKind::Boleto] {
            assert_eq!(quote(&usd_schedule, method, usd(10_000)), unavailable("Not offered for this account."));
        }
        let brl_schedule = FeeSchedule::default_for(Currency::Brl);
        let reais = Money::new(500_000, Currency::Brl);
        for method in [MethodKind::Ach, MethodKind::Wire] {
            assert_eq!(quote(&brl_schedule, method, reais), unavailable("Not offered for this account."));
        }
        let nothing = FeeSchedule { enabled: vec![], ..usd_schedule };
        assert_eq!(quote(&nothing, MethodKind::Card, usd(10_000)), unavailable("Not offered for this account."));
    }

    #[test]
    fn nothing_to_pay_for_zero_or_a_credit() {
        let schedule = FeeSchedule::default_for(Currency::Usd);
        for method in [MethodKind::Card, MethodKind::Ach, MethodKind::Wire] {
            assert_eq!(quote(&schedule, method, usd(0)), unavailable("Nothing to pay."));
            assert_eq!(quote(&schedule, method, usd(-500)), unavailable("Nothing to pay."));
        }
    }

    #[test]
    fn an_amount_too_large_for_a_card_fee_is_refused_not_wrapped() {
        let schedule = FeeSchedule::default_for(Currency::Usd);
        assert_eq!(
            quote(&schedule, MethodKind::Card, usd(i64::MAX)),
            unavailable("This amount is too large to pay by card.")
        );
        assert!(quote(&schedule, MethodKind::Wire, usd(i64::MAX)).is_available());
    }

    #[test]
    fn compares_the_enabled_methods_in_a_fixed_order() {
        let schedule = FeeSchedule::default_for(Currency::Usd);
        assert_eq!(
            compare(&schedule, usd(7_500)),
            vec![
                (MethodKind::Card, available(usd(300), usd(7_800), Settlement::Immediately)),
                (MethodKind::Ach, available(usd(0), usd(7_500), Settlement::Immediately)),
                (MethodKind::Wire, unavailable("Wire transfers start at $1,000.00.")),
            ]
        );
        // However the vendor listed them, and even twice.
        let everything = FeeSchedule {
            enabled: vec![
                MethodKind::Boleto,
                MethodKind::Wire,
                MethodKind::Card,
                MethodKind::Pix,
                MethodKind::Ach,
                MethodKind::Card,
            ],
            ..schedule
        };
        let methods: Vec<MethodKind> = compare(&everything, usd(100)).into_iter().map(|(m, _)| m).collect();
        assert_eq!(methods, METHOD_ORDER);
        assert_eq!(
            compare(&FeeSchedule::default_for(Currency::Brl), Money::zero(Currency::Brl)),
            vec![
                (MethodKind::Card, unavailable("Nothing to pay.")),
                (MethodKind::Pix, unavailable("Nothing to pay.")),
                (MethodKind::Boleto, unavailable("Nothing to pay.")),
            ]
        );
        assert!(
            compare(&FeeSchedule { enabled: vec![], ..FeeSchedule::default_for(Currency::Usd) }, usd(100)).is_empty()
        );
    }

    #[test]
    fn method_order_lists_every_method_once() {
        assert_eq!(METHOD_ORDER.len(), MethodKind::ALL.len());
        for method in MethodKind::ALL {
            assert!(METHOD_ORDER.contains(method), "{method:?}");
        }
    }

    #[test]
    fn round_trips_through_json() {
        let schedule = FeeSchedule::default_for(Currency::Usd);
        let json = serde_json::to_string(&schedule).unwrap();
        assert!(json.contains(r#""card_surcharge_rate":"0.04""#), "{json}");
        assert_eq!(serde_json::from_str::<FeeSchedule>(&json).unwrap(), schedule);

        for quote in [
            available(usd(40), usd(1_040), Settlement::Immediately),
            available(usd(0), usd(100_000), Settlement::OnBankTransfer),
            unavailable("Nothing to pay."),
        ] {
            let json = serde_json::to_string(&quote).unwrap();
            assert_eq!(serde_json::from_str::<MethodQuote>(&json).unwrap(), quote);
        }
    }

    #[test]
    fn local_payment_rails_are_only_offered_in_their_currency() {
        let everything = FeeSchedule {
            card_surcharge_rate: Decimal::new(4, 2),
            ach_minimum_minor: 0,
            wire_minimum_minor: 0,
            enabled: METHOD_ORDER.to_vec(),
        };
        let dollars = Money::new(10_000, Currency::Usd);
        let reais = Money::new(10_000, Currency::Brl);
        let euros = Money::new(10_000, Currency::Eur);
        assert!(!quote(&everything, MethodKind::Pix, dollars).is_available());
        assert!(!quote(&everything, MethodKind::Boleto, euros).is_available());
        assert!(quote(&everything, MethodKind::Pix, reais).is_available());
        assert!(quote(&everything, MethodKind::Ach, dollars).is_available());
        assert_eq!(
            quote(&everything, MethodKind::Ach, reais),
            MethodQuote::Unavailable { reason: "ACH is only for payments in US dollars (USD).".into() }
        );
    }
}
