package io.dialtone.routing;

/**
 * LiveKit's number normalisation: a string made only of digits, an optional leading +, spaces, dashes and
 * brackets loses the separators and gains a leading +; anything else (a SIP user name) stays as it is.
 */
public final class PhoneNumbers {
    private PhoneNumbers() {
    }

    public static String normalize(String number) {
        if (number == null || number.isEmpty()) {
            return "";
        }
        StringBuilder digits = new StringBuilder(number.length() + 1).append('+');
        boolean sawDigit = false;
        for (int i = 0; i < number.length(); i++) {
            char c = number.charAt(i);
            if (c >= '0' && c <= '9') {
                digits.append(c);
                sawDigit = true;
            } else if (c == '+' && i == 0) {
                continue;
            } else if (c != ' ' && c != '-' && c != '(' && c != ')') {
                return number;
            }
        }
        return sawDigit ? digits.toString() : number;
    }

    /** The last four characters, which is all of a number a room sees when hidePhoneNumber is set. */
    public static String lastFour(String number) {
        return number.length() > 4 ? number.substring(number.length() - 4) : number;
    }
}
