package io.binaryrepo.pypi;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * PyPI's change serial of a page: the {@code X-PyPI-Last-Serial} header of a fresh answer, and in a stored page
 * JSON's {@code meta._last-serial} or HTML's {@code <!--SERIAL n-->} comment. PyPI's CDN has served pages older
 * than ones already seen (warehouse #8568); a page whose serial is lower than the cached page's is refused so the
 * newer cached page stays. Indexes without serials are unaffected. Stateless.
 */
final class LastSerial {
    static final String HEADER = "X-PyPI-Last-Serial";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] HTML_MARK = "<!--SERIAL ".getBytes(StandardCharsets.US_ASCII);

    private LastSerial() {
    }

    /** A header value as a serial, or -1 when absent or not a number. */
    static long parse(String header) {
        if (header == null || !header.trim().matches("[0-9]{1,18}")) {
            return -1;
        }
        return Long.parseLong(header.trim());
    }

    /** The serial a stored page carries, or -1 when it carries none. */
    static long of(byte[] stored, boolean json) {
        return json ? fromJson(stored) : fromHtml(stored);
    }

    private static long fromJson(byte[] stored) {
        try (JsonParser p = JSON.getFactory().createParser(stored)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return -1;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if (name.equals("meta") && t == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String key = p.currentName();
                        JsonToken v = p.nextToken();
                        if (key.equals("_last-serial") && v == JsonToken.VALUE_NUMBER_INT) {
                            return p.getLongValue();
                        }
                        p.skipChildren();
                    }
                    return -1;
                }
                p.skipChildren();
            }
            return -1;
        } catch (IOException e) {
            return -1;
        }
    }

    private static long fromHtml(byte[] stored) {
        outer:
        for (int i = 0; i + HTML_MARK.length < stored.length; i++) {
            for (int j = 0; j < HTML_MARK.length; j++) {
                if (stored[i + j] != HTML_MARK[j]) {
                    continue outer;
                }
            }
            int at = i + HTML_MARK.length;
            long v = 0;
            int digits = 0;
            while (at < stored.length && stored[at] >= '0' && stored[at] <= '9' && digits < 18) {
                v = v * 10 + (stored[at++] - '0');
                digits++;
            }
            return digits == 0 ? -1 : v;
        }
        return -1;
    }
}
