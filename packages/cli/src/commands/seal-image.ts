/** `govtrust seal image`: draws a seal picture (round, oval, square) to PNG or SVG. @module */
import type { Command } from 'commander';
import {
  drawSeal,
  sealPixelSize,
  sealToPng,
  sealToSvg,
  type SealImageSpec,
} from '@govtrust/core/seal';
import { ExitCode, UsageError, type CliIo } from '../io.js';
import { writeOutput } from '../files.js';

interface SealImageFlags {
  shape: string;
  text: string;
  bottomText?: string;
  bottomLayout?: string;
  centerText?: string;
  code?: string;
  star: boolean;
  size?: string;
  height?: string;
  color?: string;
  dpi?: string;
  out: string;
  force?: boolean;
}

/** A number option, or a usage error naming it. */
function numberOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${name} must be a number`);
  return n;
}

/** Registers `seal image` under the `seal` command (created here if no other module made it). */
export function registerSealImageCommands(
  program: Command,
  io: CliIo,
  setExit: (code: number) => void,
): void {
  const seal =
    program.commands.find((c) => c.name() === 'seal') ??
    program.command('seal').description('electronic seals (GB/T 38540) and seal pictures');
  seal
    .command('image')
    .description(
      'draw a seal picture (公章 round, 财务/发票专用章 oval, 个人名章 square) as PNG or SVG',
    )
    .requiredOption('--shape <shape>', 'round | oval | square')
    .requiredOption(
      '--text <text>',
      'organisation name along the upper arc (square: the 1-4 character name)',
    )
    .option('--center-text <text>', 'horizontal text in the centre, e.g. 合同专用章 or 财务专用章')
    .option(
      '--bottom-text <text>',
      'round: text along the lower arc; oval: the bottom line, e.g. 发票专用章',
    )
    .option('--bottom-layout <layout>', 'round seals: arc (default) or line for --bottom-text')
    .option('--code <code>', 'round: 13-digit seal code on the lower arc; oval: taxpayer number')
    .option('--no-star', 'round seals: leave out the five-pointed star')
    .option('--size <mm>', 'diameter / long axis / side in millimetres (42, 40, 20 by default)')
    .option('--height <mm>', 'oval seals: short axis in millimetres (default 3/4 of --size)')
    .option('--color <#rrggbb>', 'ink colour (default #e60012)')
    .option('--dpi <dpi>', 'PNG resolution (default 300)')
    .requiredOption('--out <file>', 'output file: .png or .svg')
    .option('--force', 'overwrite an existing file')
    .action(async (flags: SealImageFlags) => {
      const format = /\.(png|svg)$/i.exec(flags.out)?.[1]?.toLowerCase();
      if (format === undefined) throw new UsageError('--out must end in .png or .svg');
      if (!['round', 'oval', 'square'].includes(flags.shape)) {
        throw new UsageError('--shape must be round, oval or square');
      }
      if (flags.bottomLayout !== undefined && !['arc', 'line'].includes(flags.bottomLayout)) {
        throw new UsageError('--bottom-layout must be arc or line');
      }
      const dpi = numberOption('--dpi', flags.dpi);
      if (dpi !== undefined && format === 'svg') throw new UsageError('--dpi applies to PNG only');
      const size = numberOption('--size', flags.size);
      const height = numberOption('--height', flags.height);
      const spec: SealImageSpec = {
        shape: flags.shape as SealImageSpec['shape'],
        text: flags.text,
        ...(flags.centerText === undefined ? {} : { centerText: flags.centerText }),
        ...(flags.bottomText === undefined ? {} : { bottomText: flags.bottomText }),
        ...(flags.bottomLayout === undefined
          ? {}
          : { bottomTextLayout: flags.bottomLayout as 'arc' | 'line' }),
        ...(flags.code === undefined ? {} : { code: flags.code }),
        // --no-star only means something on round seals; the default elsewhere is no star.
        ...(flags.shape === 'round' ? { star: flags.star } : {}),
        ...(size === undefined ? {} : { sizeMm: size }),
        ...(height === undefined ? {} : { heightMm: height }),
        ...(flags.color === undefined ? {} : { color: flags.color }),
      };
      const drawing = drawSeal(spec);
      const force = flags.force === true;
      if (format === 'svg') {
        writeOutput(flags.out, sealToSvg(drawing), { force });
        io.stdout(
          `${flags.shape} seal written to ${flags.out} (SVG, ${drawing.widthMm} x ${drawing.heightMm} mm)\n`,
        );
      } else {
        const png = await sealToPng(drawing, dpi === undefined ? {} : { dpi });
        writeOutput(flags.out, png, { force });
        const px = sealPixelSize(drawing, dpi ?? 300);
        io.stdout(
          `${flags.shape} seal written to ${flags.out} (PNG, ${px.width} x ${px.height} px at ${dpi ?? 300} dpi, ${drawing.widthMm} x ${drawing.heightMm} mm)\n`,
        );
      }
      setExit(ExitCode.ok);
    });
}
