/**
 * What differs between the Flink lines this plugin is built for, and nothing else. Each line has
 * its own copy of these classes with the same names and signatures: {@code src/compat-flink-2.3}
 * for Flink 2.x, {@code src/compat-flink-1.20} for Flink 1.20. All other code is shared and
 * compiles against both.
 */
package io.flinkrecovery.compat;
