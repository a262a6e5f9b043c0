/** The demo licence of a first start: the sample type 建筑施工特种作业人员操作资格证书 (samples/licence-types), a demo issuer, and one issued licence. DEV ONLY. @module */
import { addYears, chinaDate } from '@govtrust/core/licence';
import type { AuthenticatedApp } from './http/route.js';
import type { GovTrustServer } from './server.js';

/** The sample licence type (a copy of samples/licence-types/construction-special-operations.json). */
export const demoLicenceType: Readonly<Record<string, unknown>> = {
  typeCode: '11100000000013338W032',
  name: '建筑施工特种作业人员操作资格证书',
  nameEn: 'Certificate of qualification for special operations in building construction',
  definingAuthority: {
    name: '中华人民共和国住房和城乡建设部',
    code: '11100000000013338W',
    level: '国家级',
  },
  issuingAuthorityLevel: '省级',
  holderCategory: 'natural-person',
  holderCodeTypes: ['111'],
  validity: {
    range: '2年',
    maxYears: 2,
    longTerm: false,
  },
  relatedItems: [
    {
      name: '建筑施工特种作业人员操作资格证书核发',
    },
  ],
  fields: [
    {
      key: 'sex',
      label: '性别',
      labelEn: 'Sex',
      type: 'enum',
      required: true,
      values: ['男', '女'],
    },
    {
      key: 'birthDate',
      label: '出生日期',
      labelEn: 'Date of birth',
      type: 'date',
      required: true,
    },
    {
      key: 'operationCategory',
      label: '操作类别',
      labelEn: 'Operation category',
      type: 'enum',
      required: true,
      values: [
        '建筑电工',
        '建筑架子工',
        '建筑起重信号司索工',
        '建筑起重机械司机',
        '建筑起重机械安装拆卸工',
        '高处作业吊篮安装拆卸工',
        '其他',
      ],
      metadataCode: 'KZ_CZLB',
    },
    {
      key: 'firstIssuedOn',
      label: '初次领证日期',
      labelEn: 'First issued on',
      type: 'date',
      required: true,
    },
  ],
  face: {
    template: 'mohurd-special-operations-card',
    version: '1',
    layout: {
      page: {
        width: 210,
        height: 148,
      },
      color: '#1d6b4f',
      title: {
        size: 20,
      },
      body: {
        style: 'lines',
        fontSize: 11,
        items: [
          {
            value: 'holder.name',
          },
          {
            value: 'fields.sex',
          },
          {
            value: 'fields.birthDate',
          },
          {
            value: 'holder.code',
            label: '身份证号',
          },
          {
            value: 'fields.operationCategory',
          },
          {
            value: 'number',
            label: '证书编号',
          },
          {
            value: 'fields.firstIssuedOn',
          },
          {
            value: 'validity',
            label: '有效期',
          },
        ],
      },
      qr: {
        corner: 'bottom-left',
        size: 22,
        caption: '扫码核验',
      },
      issuer: {
        label: '发证机关',
        sealSize: 32,
      },
    },
  },
  provenance: {
    kind: 'official',
    note: 'Type code 11100000000013338W032 and name as in national-style licence tables (住房和城乡建设部 definer code 11100000000013338W); the two-year validity follows 建质〔2008〕75号. The field list is ours.',
  },
};

/** The demo issuer (the sample's 颁发机构). */
export const demoIssuer = { code: '11220000013544541J', name: '吉林省住房和城乡建设厅' } as const;

/** What `seedDemoLicence` made. */
export interface DemoLicence {
  readonly identifier: string;
  readonly qrText: string;
  readonly digest: string;
  readonly face: Uint8Array;
  readonly signedData: Uint8Array;
}

/**
 * Registers the demo type and issuer, gives `app` the issuer's rights (issue, and look up every
 * type in every area) and issues one licence valid for a year from today.
 */
export async function seedDemoLicence(
  server: GovTrustServer,
  app: AuthenticatedApp,
): Promise<DemoLicence> {
  await server.licences.putType(demoLicenceType, 'system', null);
  await server.licences.createIssuer(demoIssuer, 'system', null);
  await server.licences.setRights(
    app.appId,
    { issuers: [demoIssuer.code], lookupTypes: ['*'], lookupAreas: ['*'] },
    'system',
    null,
  );
  const today = chinaDate(server.context.now());
  const issued = await server.licences.issue(
    {
      typeCode: String(demoLicenceType.typeCode),
      number: '吉A042012000939',
      holder: { name: '张小明', code: '110105199003077016', codeTypeCode: '111' },
      issueDate: today,
      validFrom: today,
      validUntil: addYears(today, 1),
      areaCode: '220000',
      fields: {
        sex: '男',
        birthDate: '1990-03-07',
        operationCategory: '建筑电工',
        firstIssuedOn: '2019-01-09',
      },
    },
    app,
    'bootstrap',
  );
  return {
    identifier: issued.licence.identifier,
    qrText: issued.licence.qrText,
    digest: issued.licence.digest,
    face: issued.face,
    signedData: issued.signedData,
  };
}
