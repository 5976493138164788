package io.dialtone.gateway.sip;

import gov.nist.javax.sip.header.CSeq;
import gov.nist.javax.sip.header.CallID;
import gov.nist.javax.sip.header.ContentLength;
import gov.nist.javax.sip.header.From;
import gov.nist.javax.sip.header.RequestLine;
import gov.nist.javax.sip.header.StatusLine;
import gov.nist.javax.sip.header.To;
import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.parser.MessageParser;
import gov.nist.javax.sip.parser.MessageParserFactory;
import gov.nist.javax.sip.parser.ParseExceptionListener;
import gov.nist.javax.sip.parser.StringMsgParser;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.text.ParseException;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * The SIP stack's message parser (stack property {@code gov.nist.javax.sip.MESSAGE_PARSER_FACTORY}): a message whose
 * start line or a header a response is built from (Via, From, To, Call-ID, CSeq, Content-Length) does not parse is
 * dropped without an answer; a malformed header of any other kind is kept unparsed. Left to itself the stack answers
 * such a message with a 400 whose reason phrase carries the parser's message (line breaks and the sender's own bytes
 * included, so the response is not valid SIP) and the whole request echoed back: an answer built from headers that
 * could not be read, aimed at whatever address the sender claims. The stack creates this class by reflection, so
 * the count of dropped messages is kept per class, for the process's one stack per port.
 */
public final class MalformedMessageFilter implements MessageParserFactory, MessageParser {
    private static final Set<Class<?>> ESSENTIAL = Set.of(RequestLine.class, StatusLine.class, Via.class, From.class,
            To.class, CallID.class, CSeq.class, ContentLength.class);
    private static final LongAdder DROPPED = new LongAdder();
    private static final ParseExceptionListener STRICT = (error, message, headerClass, header, raw) -> {
        if (headerClass == null || ESSENTIAL.contains(headerClass)) {
            throw error;
        }
        message.addUnparsed(header);
    };

    private final StringMsgParser parser = new StringMsgParser();

    @Override
    public MessageParser createMessageParser(SIPTransactionStack stack) {
        return new MalformedMessageFilter();
    }

    /**
     * @param listener null when the stack parses a message of its own again; then its errors are the stack's to
     *                 handle, as before
     */
    @Override
    public SIPMessage parseSIPMessage(byte[] message, boolean readBody, boolean strict,
                                      ParseExceptionListener listener) throws ParseException {
        if (listener == null) {
            return parser.parseSIPMessage(message, readBody, strict, null);
        }
        try {
            return parser.parseSIPMessage(message, readBody, strict, STRICT);
        } catch (ParseException malformed) {
            DROPPED.increment();
            return null;
        }
    }

    /** Messages dropped because they did not parse, since the process started. */
    public static long dropped() {
        return DROPPED.sum();
    }
}
