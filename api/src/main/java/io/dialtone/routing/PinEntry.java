package io.dialtone.routing;

/** How far the caller got with a PIN: not asked yet, said there is none, or entered digits. */
public sealed interface PinEntry {
    PinEntry NOT_ASKED = new NotAsked();
    PinEntry NONE = new None();

    static PinEntry entered(String digits) {
        return new Entered(digits);
    }

    record NotAsked() implements PinEntry {
    }

    record None() implements PinEntry {
    }

    record Entered(String digits) implements PinEntry {
        public Entered {
            if (digits == null || digits.isEmpty()) {
                throw new IllegalArgumentException("an entered PIN has at least one digit; use PinEntry.NONE");
            }
        }

        @Override
        public String toString() {
            return "Entered[" + digits.length() + " digits]";
        }
    }
}
