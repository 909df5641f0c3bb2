package io.binaryrepo.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects the log records binaryrepo writes (SLF4J → java.util.logging) while open, so tests can
 * assert what was logged and how often. Thread-safe.
 */
public final class LogCapture extends Handler implements AutoCloseable {
    private final Logger logger;
    private final Level previous;
    private final List<LogRecord> records = new ArrayList<>();

    /** Captures records of {@code loggerName} (e.g. {@code io.binaryrepo}) at every level. */
    public LogCapture(String loggerName) {
        logger = Logger.getLogger(loggerName);
        previous = logger.getLevel();
        logger.setLevel(Level.ALL);
        setLevel(Level.ALL);
        logger.addHandler(this);
    }

    @Override
    public synchronized void publish(LogRecord record) {
        records.add(record);
    }

    /** Formatted messages of the records at {@code level} or above whose logger name contains {@code loggerPart}. */
    public synchronized List<String> messages(Level level, String loggerPart) {
        List<String> out = new ArrayList<>();
        java.util.logging.SimpleFormatter f = new java.util.logging.SimpleFormatter();
        for (LogRecord r : records) {
            if (r.getLevel().intValue() >= level.intValue() && r.getLoggerName() != null
                    && r.getLoggerName().contains(loggerPart)) {
                out.add(f.formatMessage(r));
            }
        }
        return out;
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setLevel(previous);
    }
}
