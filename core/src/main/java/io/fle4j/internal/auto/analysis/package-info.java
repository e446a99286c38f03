/**
 * Command analysis: decides, before anything is sent, whether a command may go to the server as
 * it is, must have values encrypted first, or must be refused — the allowlist of commands and the
 * schema-driven analysis of filters, updates, pipelines and validators.
 */
package io.fle4j.internal.auto.analysis;
