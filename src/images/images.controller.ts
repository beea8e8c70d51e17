import { Controller, Get, Inject, Param, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { validate as isUuid } from 'uuid';
import { ValidationError } from '../shared/domain-error';
import { callerOf, HttpErrorFilter, SessionGuard } from './http-session';
import { imageIdParam, ImageService } from './image.service';

/** A route parameter that must be a UUID (order and quick attach ids). */
export function uuidParam(value: string, field: string): string {
  if (!isUuid(value)) throw ValidationError.single(field, 'isUuid', `${field} must be a UUID`);
  return value.toLowerCase();
}

/**
 * `POST /images` (multipart, part `file`) answers 201 with the image id, type, size and pages;
 * `GET /orders/:orderId/images/:imageId` sends an attached image, with byte ranges.
 * See docs/images.md.
 */
@Controller()
@UseGuards(SessionGuard)
@UseFilters(HttpErrorFilter)
export class ImagesController {
  constructor(@Inject(ImageService) private readonly images: ImageService) {}

  @Post('images')
  async upload(@Req() request: Request, @Res() response: Response): Promise<void> {
    response.status(201).json(await this.images.upload(callerOf(request), request));
  }

  @Get('orders/:orderId/images/:imageId')
  async download(@Param('orderId') orderId: string, @Param('imageId') imageId: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const caller = callerOf(request);
    const access = await this.images.orderImageAccess(caller, uuidParam(orderId, 'orderId'), imageIdParam(imageId));
    await this.images.download(caller, access, request, response);
  }
}
