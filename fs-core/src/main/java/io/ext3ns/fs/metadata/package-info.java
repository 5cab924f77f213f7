/**
 * The seam every metadata block write goes through, below both the engine (which writes through it) and the JBD2
 * journal (which implements it), as jbd2 sits below ext3 in Linux: the journal needs nothing from the engine.
 */
package io.ext3ns.fs.metadata;
