import { Controller, Get, Inject, Param, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { callerOf, HttpErrorFilter, SessionGuard } from '../images/http-session';
import { ImageService } from '../images/image.service';
import { uuidParam } from '../images/images.controller';
import { QuickAttachService } from './quick-attach.service';

/** `GET /quick-attaches/:quickAttachId/image`: the scan, within the quick attach's county (docs/images.md). */
@Controller()
@UseGuards(SessionGuard)
@UseFilters(HttpErrorFilter)
export class QuickAttachController {
  constructor(
    @Inject(QuickAttachService) private readonly quickAttaches: QuickAttachService,
    @Inject(ImageService) private readonly images: ImageService,
  ) {}

  @Get('quick-attaches/:quickAttachId/image')
  async download(@Param('quickAttachId') quickAttachId: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const caller = callerOf(request);
    const access = await this.quickAttaches.imageAccess(caller, uuidParam(quickAttachId, 'quickAttachId'));
    await this.images.download(caller, access, request, response);
  }
}
