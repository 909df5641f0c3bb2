package io.binaryrepo.maven;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link HtmlAnswers}: an HTML page where a jar or POM was asked for is recognised (MNG-5300). */
class HtmlAnswersTest {
    @Test
    void htmlForJarPomOrMetadata_isUnexpected() {
        assertTrue(HtmlAnswers.unexpected(MavenPath.parse("g/a/1/a-1.jar"), "text/html; charset=utf-8"));
        assertTrue(HtmlAnswers.unexpected(MavenPath.parse("g/a/1/a-1.pom"), "TEXT/HTML"));
        assertTrue(HtmlAnswers.unexpected(MavenPath.parse("g/a/maven-metadata.xml"), "application/xhtml+xml"));
    }

    @Test
    void otherTypes_andHtmlFiles_areFine() {
        assertFalse(HtmlAnswers.unexpected(MavenPath.parse("g/a/1/a-1.jar"), "application/java-archive"));
        assertFalse(HtmlAnswers.unexpected(MavenPath.parse("g/a/1/a-1.pom"), "text/xml"));
        assertFalse(HtmlAnswers.unexpected(MavenPath.parse("g/a/1/a-1.jar"), null));
        assertFalse(HtmlAnswers.unexpected(MavenPath.parse("g/a/1/index.html"), "text/html"));
    }
}
