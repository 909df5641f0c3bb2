package io.binaryrepo.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A small real Maven project: jackson-databind and commons-lang3 at compile scope, junit-jupiter for a test
 * run by surefire, plugin versions pinned (resources, compiler, surefire, jar: the {@code package} lifecycle
 * of a jar, nothing else) so a build resolves the same artifacts every time. Stateless.
 */
final class MavenTestProject {
    static final String JAR = "target/greeting-1.0.jar";

    private MavenTestProject() {
    }

    /** Writes the project into {@code dir} and returns {@code dir}. */
    static Path write(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("src/main/java/example"));
        Files.createDirectories(dir.resolve("src/test/java/example"));
        Files.writeString(dir.resolve("pom.xml"), """
                <project>
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>example</groupId>
                  <artifactId>greeting</artifactId>
                  <version>1.0</version>
                  <properties>
                    <maven.compiler.release>17</maven.compiler.release>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                  </properties>
                  <dependencies>
                    <dependency>
                      <groupId>com.fasterxml.jackson.core</groupId>
                      <artifactId>jackson-databind</artifactId>
                      <version>2.17.2</version>
                    </dependency>
                    <dependency>
                      <groupId>org.apache.commons</groupId>
                      <artifactId>commons-lang3</artifactId>
                      <version>3.14.0</version>
                    </dependency>
                    <dependency>
                      <groupId>org.junit.jupiter</groupId>
                      <artifactId>junit-jupiter</artifactId>
                      <version>5.10.2</version>
                      <scope>test</scope>
                    </dependency>
                  </dependencies>
                  <build>
                    <plugins>
                      <plugin>
                        <artifactId>maven-resources-plugin</artifactId>
                        <version>3.3.1</version>
                      </plugin>
                      <plugin>
                        <artifactId>maven-compiler-plugin</artifactId>
                        <version>3.13.0</version>
                      </plugin>
                      <plugin>
                        <artifactId>maven-surefire-plugin</artifactId>
                        <version>3.2.5</version>
                      </plugin>
                      <plugin>
                        <artifactId>maven-jar-plugin</artifactId>
                        <version>3.4.1</version>
                      </plugin>
                    </plugins>
                  </build>
                </project>
                """);
        Files.writeString(dir.resolve("src/main/java/example/Greeting.java"), """
                package example;

                import com.fasterxml.jackson.databind.ObjectMapper;
                import java.util.Map;
                import org.apache.commons.lang3.StringUtils;

                public final class Greeting {
                    public static String json(String name) throws Exception {
                        return new ObjectMapper().writeValueAsString(Map.of("hello", StringUtils.capitalize(name)));
                    }
                }
                """);
        Files.writeString(dir.resolve("src/test/java/example/GreetingTest.java"), """
                package example;

                import static org.junit.jupiter.api.Assertions.assertEquals;

                import org.junit.jupiter.api.Test;

                class GreetingTest {
                    @Test
                    void json() throws Exception {
                        assertEquals("{\\"hello\\":\\"World\\"}", Greeting.json("world"));
                    }
                }
                """);
        return dir;
    }
}
