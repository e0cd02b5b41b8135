/** The simulated provider's test cards, as its test mode documents them, and what each will do. */
export const paymentMethods: { id: string; name: string; outcome: string }[] = [
  { id: 'pm_card_visa', name: 'Visa (test)', outcome: 'Succeeds: the order is paid and ships.' },
  {
    id: 'pm_card_chargeDeclined',
    name: 'Card declined (test)',
    outcome: 'The issuer declines it: the order is cancelled and the items go back on the shelf.',
  },
  {
    id: 'pm_card_insufficientFunds',
    name: 'Insufficient funds (test)',
    outcome: 'Declined for lack of funds: the order is cancelled, nothing is charged.',
  },
  {
    id: 'pm_card_flaky',
    name: 'Flaky network (test)',
    outcome: 'Fails twice with a temporary error, then succeeds: the payment service retries by itself.',
  },
  {
    id: 'pm_card_slow',
    name: 'Slow provider (test)',
    outcome: 'Times out once, then succeeds: the retry charges once, never twice.',
  },
];
